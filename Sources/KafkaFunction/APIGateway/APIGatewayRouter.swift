import Kafka
import LambdaRuntime
import Logging
import PostgresSink

/// The REST routes, shaped after the Kafka REST proxy v2 where it has an equivalent:
///
///     POST /topics/{topic}           produce a REST-proxy v2 body {"records":[...]} to an existing topic
///     GET  /topics/{topic}/records   consume (query: from, partition, group_id, max_records, timeout_ms,
///                                    stream=true for a streamed JSON Lines answer: StreamedHTTPConsume)
///     GET  /topics/{topic}/offsets   earliest and latest offsets
///     GET  /topics                   topic names
///     GET  /topics/{topic}/rows      rows the PostgreSQL sink stored (query: key, limit, after_offset)
///
/// A client mistake is a 4xx answer, never a function error. API callers never create topics
/// (a missing topic is the REST proxy's 404, error code 40401) and use only consumer groups
/// under their own prefix (`CallerLimits`).
enum APIGatewayRouter {
    /// - Parameter logger: where the details of a 5xx answer go; the caller gets a generic message.
    static func handle(
        _ request: APIGatewayRequest, clients: KafkaClients, limits: CallerLimits, restProxy: RestProxySettings = RestProxySettings(),
        sink: PostgresSink? = nil,
        deadline: ContinuousClock.Instant, traceID: String?, cors: CORSPolicy?, logger: Logger,
        metrics: inout InvocationMetrics, streaming: inout StreamingResponder?
    ) throws -> [UInt8] {
        var response: APIGatewayResponse
        do {
            if let proxied = RestProxyRouter.respond(
                to: request, clients: clients, limits: limits, settings: restProxy, deadline: deadline, traceID: traceID,
                logger: logger, metrics: &metrics) {
                if proxied.status >= 400 { metrics.errorType = "HTTP.\(proxied.status)" }
                return proxied.serialized(cors: cors)
            }
            let route = try resolve(request)
            try limits.checkAPIGroup(route.groupID)
            metrics.action = route.actionName
            metrics.topic = route.topic
            let started = ContinuousClock.now
            defer { if route.usesKafka { metrics.kafkaLatency = ContinuousClock.now - started } }
            if case let .consume(options) = route, options.stream {
                // After the first byte an error can only end the stream: it leaves here, for the trailers.
                return try StreamedHTTPConsume.run(
                    options, clients: clients, deadline: deadline, responder: &streaming, cors: cors, metrics: &metrics
                ).get()
            }
            if case let .rows(query) = route {
                response = try SinkRowsRoute.handle(query, sink: sink)
            } else {
                response = try execute(
                    route, clients: clients, deadline: deadline, traceID: traceID, logger: logger, metrics: &metrics)
            }
        } catch let problem as HTTPProblem {
            response = .problem(problem.forAPICaller { logger.error("\($0)") })
        }
        if response.status >= 400 {
            metrics.errorType = "HTTP.\(response.status)"
        }
        return response.serialized(cors: cors)
    }

    /// Checks the route, method, path parameter, query and body without touching Kafka.
    static func resolve(_ request: APIGatewayRequest) throws(HTTPProblem) -> APIGatewayRoute {
        let segments = request.pathSegments
        guard segments.first == "topics", segments.count <= 3 else {
            throw HTTPProblem(404, "No route for \(describe(request)); routes: POST /topics/{topic}, GET /topics/{topic}/records, GET /topics/{topic}/offsets, GET /topics/{topic}/rows, GET /topics")
        }
        let allowed: String
        switch segments.count {
        case 1: allowed = "GET"
        case 2: allowed = "POST"
        default:
            guard segments[2] == "records" || segments[2] == "offsets" || segments[2] == "rows" else {
                throw HTTPProblem(404, "No route for \(describe(request))")
            }
            allowed = "GET"
        }
        if request.method == "OPTIONS" {
            return .preflight
        }
        guard request.method == allowed else {
            throw HTTPProblem(405, "Method \(request.method.truncatedForMessage) is not allowed here; use \(allowed)", headers: [("Allow", "\(allowed),OPTIONS")])
        }
        let topic = segments.count > 1 ? try validTopic(segments[1]) : ""
        switch segments.count {
        case 1:
            return .listTopics
        case 2:
            return .produce(topic: topic, records: try RestProxyProduce.decode(request))
        default:
            if segments[2] == "offsets" { return .offsets(topic: topic) }
            if segments[2] == "rows" { return .rows(try SinkRowsQuery.decode(request.query, topic: topic)) }
            do {
                return .consume(try consumeOptions(request.query, topic: topic))
            } catch {
                throw HTTPProblem(status(for: error), error.errorMessage)
            }
        }
    }

    private static func execute(
        _ route: APIGatewayRoute, clients: KafkaClients, deadline: ContinuousClock.Instant,
        traceID: String?, logger: Logger, metrics: inout InvocationMetrics
    ) throws(HTTPProblem) -> APIGatewayResponse {
        do {
            switch route {
            case .preflight:
                return APIGatewayResponse(status: 204, body: [])
            case .rows:
                throw HTTPProblem(500, "Internal error: rows are read by SinkRowsRoute")
            case .listTopics:
                let topics = try clients.admin().listTopics(deadline: deadline)
                return .json(200, JSONWriter.serialize(.array(topics.map { .string($0.name) })))
            case let .produce(topic, records):
                return try RestProxyProduce.handle(
                    records, topic: topic, clients: clients, deadline: deadline, traceID: traceID, logger: logger,
                    metrics: &metrics)
            case let .offsets(topic):
                return .json(200, try OffsetsAction.run(topic: topic, clients: clients, deadline: deadline))
            case let .consume(options):
                let budget = ConsumeAction.directResponseBudget / 2  // the body is escaped once more inside the proxy answer
                let answer = try ConsumeAction.run(options, clients: clients, deadline: deadline, responseBudget: budget)
                metrics.recordsConsumed = answer.recordCount
                metrics.bytesConsumed = answer.recordBytes
                return .json(200, answer.body)
            }
        } catch {
            throw problem(for: error)
        }
    }

    /// How a failure of a route reads to the API caller (before `forAPICaller` hides server details).
    static func problem(for error: any Error) -> HTTPProblem {
        switch error {
        case let error as FunctionError where error.kind == .topicNotFound:
            HTTPProblem.topicNotFound
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

    static func status(for error: FunctionError) -> Int {
        switch error.kind {
        case .invalidEvent, .unknownAction: return 400
        case .topicNotFound: return 404
        case .kafkaTimeout: return 504
        case .kafkaError, .produceIncomplete: return 502
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
        let options = try EventDecoder.decodeConsume(&reader)
        try reader.finish()
        return options
    }
}

/// What a request asks for, once its route, method and parameters were checked.
enum APIGatewayRoute {
    /// A CORS preflight (`OPTIONS`), answered without a body.
    case preflight
    case listTopics
    case produce(topic: String, records: SuppliedRecords)
    case offsets(topic: String)
    case consume(ConsumeOptions)
    case rows(SinkRowsQuery)

    var actionName: String {
        switch self {
        case .preflight: "preflight"
        case .listTopics: "list_topics"
        case .produce: "produce"
        case .offsets: "offsets"
        case .consume: "consume"
        case .rows: "read_rows"
        }
    }

    var topic: String? {
        switch self {
        case .preflight, .listTopics: nil
        case let .produce(topic, _), let .offsets(topic): topic
        case let .consume(options): options.topic
        case let .rows(query): query.topic
        }
    }

    /// The consumer group a consume names, which must be under the API callers' prefix.
    var groupID: String? {
        if case let .consume(options) = self { return options.groupID }
        return nil
    }

    var usesKafka: Bool {
        switch self {
        case .preflight, .rows: false
        default: true
        }
    }
}

extension String {
    /// Request text quoted in an error message: at most 64 Unicode scalars of it (counting
    /// characters would not bound it: one character can hold any number of combining marks).
    var truncatedForMessage: String {
        guard unicodeScalars.count > 64 else { return self }
        var shown = String.UnicodeScalarView()
        shown.append(contentsOf: unicodeScalars.prefix(64))
        return String(shown) + "..."
    }

    /// Error messages from the event decoder say "Field"; on HTTP the same check is about a parameter.
    func replacingFieldWording(_ noun: String) -> String {
        guard hasPrefix("Field ") else { return self }
        return noun.prefix(1).uppercased() + noun.dropFirst() + dropFirst(5)
    }
}
