import FunctionCore
import JSON

/// API Gateway WebSocket API events: APISIX's Kafka pub/sub protocol (`PubSubHandler`). A command's
/// failure is an `error_resp` in the answer, never a function error.
package struct WebSocketFrontEnd: FrontEnd {
    private let clients: any KafkaAccess
    /// Topics the function keeps to itself (the REST proxy's consumer-instance state).
    private let refusedTopics: Set<String>

    package init(clients: any KafkaAccess, refusedTopics: Set<String> = []) {
        self.clients = clients
        self.refusedTopics = refusedTopics
    }

    package func accepts(_ event: ScannedEvent) -> Bool {
        WebSocketEvent.isWebSocketEvent(event.document)
    }

    package func handle(_ event: ScannedEvent, bytes: [UInt8], invocation: FunctionInvocation) throws -> [UInt8] {
        PubSubHandler.handle(try WebSocketEvent.decode(event.document), clients: clients, refusedTopics: refusedTopics, invocation: invocation)
    }
}
