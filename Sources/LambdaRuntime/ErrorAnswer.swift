/// What the runtime posts for an error: a valid error type and the JSON body.
struct ErrorAnswer {
    var errorType: String
    var errorMessage: String
    var body: [UInt8]

    init(errorType: String, errorMessage: String) {
        self.errorType = LambdaErrorType.sanitized(errorType)
        self.errorMessage = errorMessage
        self.body = LambdaErrorBody.encode(errorType: self.errorType, errorMessage: errorMessage)
    }

    /// A `LambdaFunctionError` answers as it chose (its body is kept when its type is valid);
    /// anything else as `Function.UnhandledError`, naming only the error's type: its
    /// description might hold a secret.
    init(_ error: any Error) {
        if let functionError = error as? any LambdaFunctionError {
            self.init(errorType: functionError.errorType, errorMessage: functionError.errorMessage)
            if LambdaErrorType.isValid(functionError.errorType) {
                body = functionError.errorBody
            }
        } else {
            self.init(
                errorType: LambdaErrorType.unhandled,
                errorMessage: "The function failed with an unexpected error of type \(type(of: error))")
        }
    }
}
