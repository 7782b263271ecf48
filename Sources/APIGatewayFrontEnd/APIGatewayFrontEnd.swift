import FunctionCore
import JSON
import PostgresSink

/// API Gateway REST (payload 1.0) and HTTP (payload 2.0) API events: the REST-proxy routes
/// (`APIGatewayRouter`). A client mistake is a 4xx answer, never a function error.
package struct APIGatewayFrontEnd: FrontEnd {
    private let clients: any KafkaAccess
    private let limits: CallerLimits
    private let sink: PostgresSink?
    private let cors: CORSPolicy?
    private let restProxy: RestProxyConsumers

    package init(
        clients: any KafkaAccess, limits: CallerLimits, sink: PostgresSink?, cors: CORSPolicy?,
        restProxy: RestProxySettings = RestProxySettings()
    ) {
        self.clients = clients
        self.limits = limits
        self.sink = sink
        self.cors = cors
        self.restProxy = RestProxyConsumers(settings: restProxy, clients: clients)
    }

    package func accepts(_ event: ScannedEvent) -> Bool {
        APIGatewayRequest.isAPIGatewayEvent(event.document)
    }

    package func handle(_ event: ScannedEvent, bytes: [UInt8], invocation: FunctionInvocation) throws -> [UInt8] {
        // The scan took a top-level `records` array out of the tree; this event's document is needed whole.
        let document = event.replacedRecords ? try EventJSON.parse(bytes) : event.document
        do {
            let request = try APIGatewayRequest.decode(document)
            return try APIGatewayRouter.handle(
                request, clients: clients, limits: limits, proxy: restProxy, sink: sink, cors: cors, invocation: invocation)
        } catch let error as HTTPProblem {
            invocation.metrics.errorType = "HTTP.\(error.status)"
            return APIGatewayResponse.problem(error).serialized(cors: cors)
        }
    }
}
