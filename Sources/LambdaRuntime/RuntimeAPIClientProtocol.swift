/// The Runtime API as `RuntimeLoop` uses it. `RuntimeAPIClient` is the real one; tests drive the
/// loop in-process with a fake that scripts `next` and records what is posted.
public protocol RuntimeAPIClientProtocol {
    /// `host:port` that a streamed response connects to (its own connection, see `ChunkedPost`).
    var endpoint: String { get }
    func next() throws(RuntimeAPIError) -> Invocation
    func postResponse(requestID: String, body: [UInt8]) throws(RuntimeAPIError) -> PostOutcome
    /// - Parameter errorType: sent as `Lambda-Runtime-Function-Error-Type`.
    func postError(requestID: String, errorType: String, body: [UInt8]) throws(RuntimeAPIError) -> PostOutcome
    /// Takes back a served event's storage for a later `next` (or lets it go).
    func recycle(_ event: inout [UInt8])
}

extension RuntimeAPIClientProtocol {
    public func recycle(_ event: inout [UInt8]) {}
}

extension RuntimeAPIClient: RuntimeAPIClientProtocol {}
