import FunctionCore
import JSON
import Kafka
import LambdaRuntime
import Logging
import PostgresSink

/// The HTTP routes: the Kafka REST proxy v2's (`RestProxyRouter`: topics, partitions, brokers,
/// produce, consumer instances), then the function's own:
///
///     GET  /topics/{topic}/records   consume (query: from, partition, group_id, max_records, timeout_ms,
///                                    stream=true for a streamed JSON Lines answer: StreamedHTTPConsume)
///     GET  /topics/{topic}/offsets   earliest and latest offsets
///     GET  /topics/{topic}/rows      rows the PostgreSQL sink stored (query: key, limit, after_offset)
///
/// A client mistake is a 4xx answer, never a function error. API callers never create topics
/// (a missing topic is the REST proxy's 404, error code 40401) and use only consumer groups
/// under their own prefix (`CallerLimits`).
package enum APIGatewayRouter {
    /// The details of a 5xx answer go to the invocation's log; the caller gets a generic message.
    package static func handle(
        _ request: APIGatewayRequest, clients: any KafkaAccess, limits: CallerLimits, proxy: RestProxyConsumers? = nil,
        sink: PostgresSink? = nil, cors: CORSPolicy?, invocation: FunctionInvocation
    ) throws -> [UInt8] {
        let response: APIGatewayResponse
        do {
            // The REST proxy v2 routes first; the function's own routes below.
            if let proxied = RestProxyRouter.respond(
                to: request, clients: clients, limits: limits, proxy: proxy ?? RestProxyConsumers(settings: RestProxySettings(), clients: clients),
                invocation: invocation) {
                if proxied.status >= 400 { invocation.metrics.errorType = "HTTP.\(proxied.status)" }
                return proxied.serialized(cors: cors)
            }
            let route = try resolve(request)
            do {
                try limits.checkAPIGroup(route.groupID)
            } catch {
                throw problem(for: error)
            }
            invocation.metrics.action = route.actionName
            invocation.metrics.topic = route.topic
            let started = ContinuousClock.now
            defer { if route.usesKafka { invocation.metrics.kafkaLatency = ContinuousClock.now - started } }
            if case let .consume(options) = route, options.stream {
                // After the first byte an error can only end the stream: it leaves here, for the trailers.
                return try StreamedHTTPConsume.run(options, clients: clients, cors: cors, invocation: invocation).get()
            }
            if case let .rows(query) = route {
                response = try SinkRowsRoute.handle(query, sink: sink)
            } else {
                response = try execute(route, clients: clients, invocation: invocation)
            }
        } catch let problem as HTTPProblem {
            response = .problem(problem.forAPICaller { invocation.logger.error("\($0)") })
        }
        if response.status >= 400 {
            invocation.metrics.errorType = "HTTP.\(response.status)"
        }
        return response.serialized(cors: cors)
    }

    /// Checks the route, method, path parameter, query and body without touching Kafka.
    package static func resolve(_ request: APIGatewayRequest) throws(HTTPProblem) -> APIGatewayRoute {
        let segments = request.pathSegments
        if request.method == "OPTIONS", RestProxyRouter.isRoute(segments) {
            return .preflight
        }
        guard segments.first == "topics", segments.count == 3,
              segments[2] == "records" || segments[2] == "offsets" || segments[2] == "rows" else {
            throw HTTPProblem(404, "No route for \(describe(request)); routes: the Kafka REST proxy v2's (docs/rest-proxy.md), GET /topics/{topic}/records, GET /topics/{topic}/offsets, GET /topics/{topic}/rows")
        }
        let allowed = "GET"
        if request.method == "OPTIONS" {
            return .preflight
        }
        guard request.method == allowed else {
            throw HTTPProblem(405, "Method \(request.method.truncatedForMessage) is not allowed here; use \(allowed)", headers: [("Allow", "\(allowed),OPTIONS")])
        }
        let topic = try validTopic(segments[1])
        if segments[2] == "offsets" { return .offsets(topic: topic) }
        if segments[2] == "rows" { return .rows(try SinkRowsQuery.decode(request.query, topic: topic)) }
        do {
            return .consume(try consumeOptions(request.query, topic: topic))
        } catch {
            throw HTTPProblem(status(for: error), error.errorMessage)
        }
    }

    private static func execute(
        _ route: APIGatewayRoute, clients: any KafkaAccess, invocation: FunctionInvocation
    ) throws(HTTPProblem) -> APIGatewayResponse {
        let deadline = invocation.deadline
        do {
            switch route {
            case .preflight:
                return APIGatewayResponse(status: 204, body: [])
            case .rows:
                throw HTTPProblem(500, "Internal error: rows are read by SinkRowsRoute")
            case let .offsets(topic):
                return .json(200, try OffsetsAction.run(topic: topic, clients: clients, deadline: deadline))
            case let .consume(options):
                let budget = ConsumeAction.directResponseBudget / 2  // the body is escaped once more inside the proxy answer
                let answer = try ConsumeAction.run(options, clients: clients, deadline: deadline, responseBudget: budget)
                invocation.metrics.recordsConsumed = answer.recordCount
                invocation.metrics.bytesConsumed = answer.recordBytes
                return .json(200, answer.body)
            }
        } catch {
            throw problem(for: error)
        }
    }

    /// How a failure of a route reads to the API caller (before `forAPICaller` hides server details).
    package static func problem(for error: any Error) -> HTTPProblem {
        switch error {
        case let error as FunctionError where error.kind == .topicNotFound:
            HTTPProblem.topicNotFound
        case let error as FunctionError where error.kind == .forbidden:
            HTTPProblem(403, error.errorMessage, errorCode: 40301)
        case let error as FunctionError:
            HTTPProblem(status(for: error), error.errorMessage)
        case let error as KafkaError:
            HTTPProblem(error.isTimeout ? 504 : 502, "Kafka failed: \(error.name): \(error.message)")
        case let error as HTTPProblem:
            error
        default:
            HTTPProblem(500, "Internal error: \(error)")
        }
    }

    private static func describe(_ request: APIGatewayRequest) -> String {
        "\(request.method.truncatedForMessage) /\(request.pathSegments.joined(separator: "/").truncatedForMessage)"
    }

    package static func status(for error: FunctionError) -> Int {
        switch error.kind {
        case .invalidEvent, .unknownAction: return 400
        case .forbidden: return 403
        case .topicNotFound, .tableNotFound: return 404
        case .kafkaTimeout: return 504
        case .kafkaError, .produceIncomplete, .tableMismatch, .invalidRecord, .databaseError: return 502
        case .databaseUnavailable, .databaseAuthFailed: return 503
        case .invalidConfiguration: return 500
        }
    }

    private static func validTopic(_ segment: String) throws(HTTPProblem) -> String {
        do {
            return try TopicName.validate(segment, field: "topic")
        } catch {
            throw HTTPProblem(400, error.errorMessage.replacingFieldWording("path parameter"))
        }
    }

    /// Query strings are text: digits become numbers so the same validation as direct events applies.
    private static func consumeOptions(_ query: [String: String], topic: String) throws(FunctionError) -> ConsumeOptions {
        var members: [(key: String, value: JSONValue)] = [("topic", .string(topic))]
        for (name, text) in query.sorted(by: { $0.key < $1.key }) {
            if name == "stream" {
                guard text == "true" || text == "false" else {
                    throw .invalidEvent("Query parameter 'stream' must be true or false, got '\(text.truncatedForMessage)'")
                }
                members.append((name, .bool(text == "true")))
                continue
            }
            let isInteger = !text.isEmpty && text.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
            members.append((name, isInteger ? .number(text) : .string(text)))
        }
        var reader = try ObjectReader(.object(members), path: "")
        let options = try ConsumeOptions.decode(&reader)
        try reader.finish()
        return options
    }
}

/// What a request asks for, once its route, method and parameters were checked.
package enum APIGatewayRoute {
    /// A CORS preflight (`OPTIONS`), answered without a body.
    case preflight
    case offsets(topic: String)
    case consume(ConsumeOptions)
    case rows(SinkRowsQuery)

    package var actionName: String {
        switch self {
        case .preflight: "preflight"
        case .offsets: "offsets"
        case .consume: "consume"
        case .rows: "read_rows"
        }
    }

    package var topic: String? {
        switch self {
        case .preflight: nil
        case let .offsets(topic): topic
        case let .consume(options): options.topic
        case let .rows(query): query.topic
        }
    }

    /// The consumer group a consume names, which must be under the API callers' prefix.
    package var groupID: String? {
        if case let .consume(options) = self { return options.groupID }
        return nil
    }

    package var usesKafka: Bool {
        switch self {
        case .preflight, .rows: false
        default: true
        }
    }
}

extension String {
    /// Error messages from the event decoder say "Field"; on HTTP the same check is about a parameter.
    package func replacingFieldWording(_ noun: String) -> String {
        guard hasPrefix("Field ") else { return self }
        return noun.prefix(1).uppercased() + noun.dropFirst() + dropFirst(5)
    }
}
