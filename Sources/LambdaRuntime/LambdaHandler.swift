import Logging

/// What the runtime loop calls for every event. The runtime knows nothing of what the
/// handler does; it hands over the raw event bytes and the invocation's context.
public protocol LambdaHandler {
    /// Returns the response body. Throw a `LambdaFunctionError` for an answer with a
    /// chosen `errorType`; any other error is reported as `Function.UnhandledError`.
    /// To stream the answer instead, open `context.responder`'s stream: what `handle` returns
    /// afterwards is its last chunk.
    mutating func handle(_ event: [UInt8], context: InvocationContext) throws -> [UInt8]

    /// SIGTERM: the environment is ending. Settle what the handler holds (flush, close) by
    /// `deadline`; runs once, on its own thread, after the invocations in flight finished or the
    /// grace period ran out. The default does nothing.
    func shutdown(deadline: ContinuousClock.Instant)
}

extension LambdaHandler {
    public func shutdown(deadline: ContinuousClock.Instant) {}
}

/// An error the function answers with: `errorType` in the `Category.Reason` form the
/// Runtime API expects (for example `Function.InvalidEvent`) and a message a user can act on.
/// Neither may contain a secret.
public protocol LambdaFunctionError: Error {
    var errorType: String { get }
    var errorMessage: String { get }
    /// The JSON body posted to `/error`. The default is
    /// `{"errorType":...,"errorMessage":...,"stackTrace":[]}`; override it to add fields.
    var errorBody: [UInt8] { get }
}
