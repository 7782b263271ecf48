import Logging

/// One invocation as the handler sees it: what the Runtime API tells about it (from the `next`
/// response's headers) and the means to stream its answer.
public struct InvocationContext: Sendable {
    public var requestID: String
    /// `Lambda-Runtime-Deadline-Ms`: the deadline in milliseconds since the Unix epoch.
    public var deadlineEpochMilliseconds: Int64
    public var invokedFunctionARN: String
    /// `Lambda-Runtime-Trace-Id`. Not exported as `_X_AMZN_TRACE_ID` (see `RuntimeLoop`): pass it on from here.
    public var traceID: String?
    /// `Lambda-Runtime-Client-Context`, as sent (JSON).
    public var clientContext: String?
    /// `Lambda-Runtime-Cognito-Identity`, as sent (JSON).
    public var cognitoIdentity: String?
    /// `Lambda-Runtime-Aws-Tenant-Id`: the tenant of a function with tenant isolation.
    public var tenantID: String?
    /// Logs with the request id as metadata.
    public var logger: Logger
    /// Answers this invocation with a stream (`responder.openStream`) instead of the returned body.
    /// Set by the run loop for every invocation it serves; nil in a context made elsewhere (a test).
    public internal(set) var responder: StreamingResponder?

    public init(
        requestID: String, deadlineEpochMilliseconds: Int64, invokedFunctionARN: String,
        traceID: String?, clientContext: String?, cognitoIdentity: String?, logger: Logger
    ) {
        self.requestID = requestID
        self.deadlineEpochMilliseconds = deadlineEpochMilliseconds
        self.invokedFunctionARN = invokedFunctionARN
        self.traceID = traceID
        self.clientContext = clientContext
        self.cognitoIdentity = cognitoIdentity
        self.logger = logger
    }

    /// Time left before the deadline, measured against the wall clock now (never negative).
    public var remainingTime: Duration {
        .milliseconds(max(0, deadlineEpochMilliseconds - WallClock.nowEpochMilliseconds()))
    }
}
