import Kafka

/// The REST routes, shaped after the Kafka REST proxy v2 where it has an equivalent:
///
///     POST /topics/{topic}           produce a REST-proxy v2 body {"records":[...]}
///     GET  /topics/{topic}/records   consume (query: from, partition, group_id, max_records, timeout_ms)
///     GET  /topics/{topic}/offsets   earliest and latest offsets
///     GET  /topics                   topic names
///
/// A client mistake is a 4xx answer, never a function error.
enum APIGatewayRouter {
    static func handle(_ request: APIGatewayRequest, clients: KafkaClients, deadline: ContinuousClock.Instant) -> [UInt8] {
        let response: APIGatewayResponse
        do {
            response = try route(request, clients: clients, deadline: deadline)
        } catch {
            response = .problem(error)
        }
        return response.serialized()
    }

    private static func route(_ request: APIGatewayRequest, clients: KafkaClients, deadline: ContinuousClock.Instant) throws(HTTPProblem) -> APIGatewayResponse {
        let segments = request.pathSegments
        guard segments.first == "topics", segments.count <= 3 else {
            throw HTTPProblem(404, "No route for \(request.method) /\(segments.joined(separator: "/")); routes: POST /topics/{topic}, GET /topics/{topic}/records, GET /topics/{topic}/offsets, GET /topics")
        }
        let allowed: String
        switch segments.count {
        case 1: allowed = "GET"
        case 2: allowed = "POST"
        default:
            guard segments[2] == "records" || segments[2] == "offsets" else {
                throw HTTPProblem(404, "No route for \(request.method) /\(segments.joined(separator: "/"))")
            }
            allowed = "GET"
        }
        if request.method == "OPTIONS" {
            return APIGatewayResponse(status: 204, body: [])
        }
        guard request.method == allowed else {
            throw HTTPProblem(405, "Method \(request.method) is not allowed here; use \(allowed)", headers: [("Allow", "\(allowed),OPTIONS")])
        }
        let topic = segments.count > 1 ? try validTopic(segments[1]) : ""
        do {
            switch segments.count {
            case 1:
                let topics = try clients.admin().listTopics(deadline: deadline)
                return .json(200, JSONWriter.serialize(.array(topics.map { .string($0.name) })))
            case 2:
                return try RestProxyProduce.handle(request, topic: topic, clients: clients, deadline: deadline)
            default:
                if segments[2] == "offsets" {
                    return .json(200, try OffsetsAction.run(topic: topic, clients: clients, deadline: deadline))
                }
                let options = try consumeOptions(request.query, topic: topic)
                let budget = ConsumeAction.directResponseBudget / 2  // the body is escaped once more inside the proxy answer
                return .json(200, try ConsumeAction.run(options, clients: clients, deadline: deadline, responseBudget: budget))
            }
        } catch let error as FunctionError {
            throw HTTPProblem(status(for: error), error.errorMessage)
        } catch let error as KafkaError {
            throw HTTPProblem(error.isTimeout ? 504 : 502, "Kafka failed: \(error.name): \(error.message)")
        } catch let error as HTTPProblem {
            throw error
        } catch {
            throw HTTPProblem(500, "Internal error: \(error)")
        }
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
            let isInteger = !text.isEmpty && text.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
            members.append((name, isInteger ? .number(text) : .string(text)))
        }
        var reader = try ObjectReader(.object(members), path: "")
        let options = try EventDecoder.decodeConsume(&reader)
        try reader.finish()
        return options
    }
}

extension String {
    /// Error messages from the event decoder say "Field"; on HTTP the same check is about a parameter.
    func replacingFieldWording(_ noun: String) -> String {
        guard hasPrefix("Field ") else { return self }
        return noun.prefix(1).uppercased() + noun.dropFirst() + dropFirst(5)
    }
}
