extension LambdaFunctionError {
    public var errorBody: [UInt8] {
        LambdaErrorBody.encode(errorType: errorType, errorMessage: errorMessage)
    }
}

/// A `LambdaFunctionError` with a fixed type and message.
public struct LambdaError: LambdaFunctionError, Sendable, CustomStringConvertible {
    public var errorType: String
    public var errorMessage: String

    public init(errorType: String, errorMessage: String) {
        self.errorType = errorType
        self.errorMessage = errorMessage
    }

    /// `Function.InvalidConfiguration` for an environment variable the function cannot use.
    /// The message names the variable, never its value (it may be a secret).
    public static func invalidConfiguration(variable: String, reason: String) -> LambdaError {
        LambdaError(
            errorType: "Function.InvalidConfiguration",
            errorMessage: "Environment variable \(variable) is invalid: \(reason)")
    }

    public var description: String { "\(errorType): \(errorMessage)" }
}
