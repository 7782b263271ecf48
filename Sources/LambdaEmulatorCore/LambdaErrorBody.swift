import Foundation

/// The errors the emulator itself produces, with Lambda's wording.
public enum EmulatorErrors {
    /// The largest response or error a runtime may post (RIE's limit).
    public static let maxResponseBytes = 6_291_556
    /// The largest synchronous Invoke payload Lambda accepts.
    public static let maxInvokePayloadBytes = 6_291_456

    /// What Lambda's Invoke API answers (429, `TooManyRequestsException`) when it throttles.
    public static let tooManyRequestsBody = #"{"Reason":"ConcurrentInvocationLimitExceeded","Type":"User","message":"Rate Exceeded."}"#

    public static func timeout(seconds: Double) -> LambdaErrorBody {
        LambdaErrorBody(
            errorMessage: "Task timed out after \(String(format: "%.2f", seconds)) seconds",
            errorType: "Runtime.Timeout")
    }

    public static func exitError(requestID: String, exitDescription: String) -> LambdaErrorBody {
        LambdaErrorBody(
            errorMessage: "RequestId: \(requestID) Error: Runtime exited with error: \(exitDescription)",
            errorType: "Runtime.ExitError")
    }

    public static func invalidEntrypoint(requestID: String, reason: String) -> LambdaErrorBody {
        LambdaErrorBody(
            errorMessage: "RequestId: \(requestID) Error: could not start the bootstrap: \(reason)",
            errorType: "Runtime.InvalidEntrypoint")
    }

    public static let runtimeResponseTooLarge = LambdaErrorBody(
        errorMessage: "Exceeded maximum allowed payload size (\(maxResponseBytes) bytes).",
        errorType: "RequestEntityTooLarge")

    public static let callerResponseTooLarge = LambdaErrorBody(
        errorMessage: "Response payload size exceeded maximum allowed payload size (\(maxResponseBytes) bytes).",
        errorType: "Function.ResponseSizeTooLarge")

    public static let invokePayloadTooLarge = LambdaErrorBody(
        errorMessage: "Request must be smaller than \(maxInvokePayloadBytes) bytes for the InvokeFunction operation",
        errorType: "RequestEntityTooLargeException")

    public static let invalidClientContext = LambdaErrorBody(
        errorMessage: "Client context must be a valid Base64-encoded JSON object.",
        errorType: "InvalidRequestContentException")

    public static func bodyTooLarge(limit: Int) -> LambdaErrorBody {
        LambdaErrorBody(errorMessage: "Request body exceeds \(limit) bytes", errorType: "RequestEntityTooLarge")
    }

    public static let unknownRequestID = LambdaErrorBody(
        errorMessage: "Invalid request ID", errorType: "InvalidRequestID")

    public static let alreadyAnswered = LambdaErrorBody(
        errorMessage: "Invalid request ID: this invocation was already answered", errorType: "InvalidRequestID")

    public static let notFound = LambdaErrorBody(errorMessage: "Not found", errorType: "NotFound")

    public static let shuttingDown = LambdaErrorBody(
        errorMessage: "The emulator is shutting down", errorType: "Runtime.ExitError")

    public static let injectedFault = LambdaErrorBody(
        errorMessage: "Fault injected by lambda-emulator", errorType: "Emulator.InjectedFault")
}
