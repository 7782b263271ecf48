/// One way into the function (direct and EventBridge, API Gateway, WebSocket, event-source
/// batches): recognises its event shape, decodes it into core actions, and answers in its own wire.
/// `KafkaFunction` asks each in turn, in a fixed order, whether an event is its own.
package protocol FrontEnd: Sendable {
    /// Whether the event (read once, see `ScannedEvent`) has this front-end's shape.
    func accepts(_ event: ScannedEvent) -> Bool

    /// The answer to the event. A thrown error is the invocation's function error.
    /// - Parameter bytes: the event as received, for front-ends that read it again whole.
    func handle(_ event: ScannedEvent, bytes: [UInt8], invocation: FunctionInvocation) throws -> [UInt8]
}
