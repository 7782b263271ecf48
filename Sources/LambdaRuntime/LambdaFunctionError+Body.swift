extension LambdaFunctionError {
    public var errorBody: [UInt8] {
        LambdaErrorBody.encode(errorType: errorType, errorMessage: errorMessage)
    }
}

/// A `LambdaFunctionError` with a fixed type and message: the wire document itself, thrown.
public typealias LambdaError = LambdaErrorBody

extension LambdaErrorBody: LambdaFunctionError {
    public init(errorType: String, errorMessage: String) {
        self.init(errorMessage: errorMessage, errorType: errorType)
    }

    /// `Function.InvalidConfiguration` for an environment variable the function cannot use.
    /// The message names the variable, never its value (it may be a secret).
    public static func invalidConfiguration(variable: String, reason: String) -> LambdaError {
        LambdaError(
            errorType: "Function.InvalidConfiguration",
            errorMessage: "Environment variable \(variable) is invalid: \(reason)")
    }
}
