import Foundation
import TestSupport
import Testing

/// API Gateway proxy events (payload 1.0 and 2.0, built from the samples in Events/) through the
/// real bootstrap: routes answer HTTP statuses, and a client mistake is a 4xx, never a function error.
@Suite(.offCooperativePool, .serialized, .kafkaEndToEnd) struct APIGatewayEndToEndTests {
    /// The proxy-integration answer the function returned.
    struct HTTPAnswer {
        var status: Int
        var headers: [String: String]
        var body: Data
        var json: Any? { try? JSONSerialization.jsonObject(with: body) }
        var object: [String: Any] { json as? [String: Any] ?? [:] }
        var message: String { object.string("message") ?? "" }
    }

    static let restProxyContentType = "application/vnd.kafka.json.v2+json"

    /// An HTTP API (payload 2.0) event from the sample, with this request in it.
    static func httpAPIEvent(
        _ method: String, _ path: String, query: [String: String]? = nil, contentType: String? = nil,
        body: String? = nil, base64: Bool = false
    ) throws -> String {
        var event = try SampleEvents.object("apigateway-http-produce-base64.json")
        event["rawPath"] = path
        event["rawQueryString"] = (query ?? [:]).map { "\($0.key)=\($0.value)" }.joined(separator: "&")
        event["queryStringParameters"] = query
        var context = try #require(event["requestContext"] as? [String: Any])
        var http = try #require(context["http"] as? [String: Any])
        http["method"] = method
        http["path"] = path
        context["http"] = http
        context["routeKey"] = "$default"
        event["requestContext"] = context
        var headers = try #require(event["headers"] as? [String: Any])
        headers["content-type"] = contentType
        event["headers"] = headers
        event["body"] = base64 ? body.map { Data($0.utf8).base64EncodedString() } : body
        event["isBase64Encoded"] = base64
        return try serialize(event)
    }

    /// A REST API (payload 1.0) event from the sample; its stage is `prod`.
    static func restAPIEvent(_ method: String, _ path: String, contentType: String?, body: String?) throws -> String {
        var event = try SampleEvents.object("apigateway-rest-produce.json")
        event["httpMethod"] = method
        event["path"] = path
        var headers = try #require(event["headers"] as? [String: Any])
        headers["Content-Type"] = contentType
        event["headers"] = headers
        event["multiValueHeaders"] = contentType.map { ["Content-Type": [$0]] } ?? [:]
        var context = try #require(event["requestContext"] as? [String: Any])
        context["httpMethod"] = method
        context["path"] = "/prod" + path
        event["requestContext"] = context
        event["body"] = body
        return try serialize(event)
    }

    /// Invokes with an API Gateway event: the invocation itself must succeed whatever the status.
    func request(_ engine: BrokerEngine, _ event: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> HTTPAnswer {
        let kafka = try KafkaEndToEnd.shared(engine)
        let result = try kafka.invoke(event)
        try #require(result.status == 200, sourceLocation: sourceLocation)
        #expect(result.functionError == nil, "a function error for an HTTP request: \(result.text)", sourceLocation: sourceLocation)
        let proxy = try result.jsonObject()
        let status = try #require(proxy.int("statusCode"), "\(result.text)", sourceLocation: sourceLocation)
        let headers = try #require(proxy["headers"] as? [String: String], sourceLocation: sourceLocation)
        let isBase64 = proxy.bool("isBase64Encoded") ?? false
        let text = proxy.string("body") ?? ""
        let body = isBase64 ? try #require(Data(base64Encoded: text), sourceLocation: sourceLocation) : Data(text.utf8)
        // Every answer allows browsers on the configured origin (CORS_ALLOW_ORIGIN) to call the API.
        #expect(headers["Access-Control-Allow-Origin"] == KafkaEndToEnd.corsOrigin, sourceLocation: sourceLocation)
        #expect(headers["Vary"] == "Origin", sourceLocation: sourceLocation)
        #expect(headers["Access-Control-Allow-Methods"]?.contains("OPTIONS") == true, sourceLocation: sourceLocation)
        #expect(headers["Access-Control-Allow-Headers"]?.contains("Content-Type") == true, sourceLocation: sourceLocation)
        return HTTPAnswer(status: status, headers: headers, body: body)
    }

    /// Requires a 4xx JSON error whose message mentions `names`.
    @discardableResult
    func expectProblem(
        _ engine: BrokerEngine, _ event: String, _ status: Int, _ names: String, errorCode: Int? = nil,
        contentType: String = "application/json", sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> HTTPAnswer {
        let answer = try request(engine, event, sourceLocation: sourceLocation)
        #expect(answer.status == status, "\(String(decoding: answer.body, as: UTF8.self))", sourceLocation: sourceLocation)
        #expect(answer.headers["Content-Type"] == contentType, sourceLocation: sourceLocation)
        #expect(answer.object.int("error_code") == errorCode ?? status, sourceLocation: sourceLocation)
        #expect(answer.message.contains(names), "'\(answer.message)' should name \(names)", sourceLocation: sourceLocation)
        return answer
    }

    /// Requires the Kafka REST proxy's answer for a missing topic.
    func expectTopicNotFound(_ engine: BrokerEngine, _ event: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let answer = try request(engine, event, sourceLocation: sourceLocation)
        #expect(answer.status == 404, "\(String(decoding: answer.body, as: UTF8.self))", sourceLocation: sourceLocation)
        #expect(answer.object.int("error_code") == 40401, sourceLocation: sourceLocation)
        #expect(answer.message == "Topic not found.", sourceLocation: sourceLocation)
    }

    @Test(arguments: BrokerEngine.allCases) func restProxyProduceWithBothContentTypesThenReadBack(engine: BrokerEngine) throws {
        let topic = uniqueTopic("http")
        // API callers do not create topics: a direct event does.
        let seed = try KafkaEndToEnd.shared(engine).produce(topic: topic, records: #"[{"value":"seed"}]"#)
        let records = #"{"records":[{"key":"device-1","value":{"temperature":21.5}},{"value":"plain","partition":1}]}"#
        let v2 = try request(engine, Self.httpAPIEvent("POST", "/topics/\(topic)", contentType: Self.restProxyContentType, body: records))
        let v2Base64 = try request(engine, Self.httpAPIEvent("POST", "/topics/\(topic)", contentType: "application/json; charset=utf-8", body: records, base64: true))
        let v1 = try request(engine, Self.restAPIEvent("POST", "/topics/\(topic)", contentType: "application/json", body: records))
        var produced: [LogPosition] = []
        for answer in [v2, v2Base64, v1] {
            #expect(answer.status == 200, "\(String(decoding: answer.body, as: UTF8.self))")
            let offsets = answer.object.objects("offsets")
            #expect(offsets.count == 2)
            #expect(offsets.allSatisfy { $0["error_code"] is NSNull })
            #expect(offsets.last?.int("partition") == 1)
            produced += offsets.compactMap(LogPosition.init)
        }
        #expect(Set(produced).count == 6)

        let consumed = try request(engine, Self.httpAPIEvent(
            "GET", "/topics/\(topic)/records", query: ["from": "beginning", "max_records": "100", "timeout_ms": "10000"]))
        #expect(consumed.status == 200)
        let consumedRecords = consumed.object.objects("records")
        #expect(Set(consumedRecords.compactMap(LogPosition.init)) == Set(produced + seed))
        // Kafka holds the JSON serialisation of each key and value, as the REST proxy's json format writes them.
        #expect(consumedRecords.filter { $0.string("key") == #""device-1""# }.count == 3)
        #expect(consumedRecords.filter { $0.string("value") == "plain" }.count == 3)

        let offsets = try request(engine, Self.httpAPIEvent("GET", "/topics/\(topic)/offsets"))
        #expect(offsets.status == 200)
        let stored = offsets.object.objects("partitions").reduce(0) { $0 + ($1.int("latest") ?? 0) - ($1.int("earliest") ?? 0) }
        #expect(stored == produced.count + seed.count)

        try expectProblem(engine, Self.httpAPIEvent("GET", "/topics/\(topic)/records", query: ["partition": "99"]), 400, "no partition 99")

        let topics = try request(engine, Self.httpAPIEvent("GET", "/topics"))
        #expect(topics.status == 200)
        #expect((topics.json as? [String])?.contains(topic) == true)
    }

    @Test(arguments: BrokerEngine.allCases) func clientMistakesAreFourHundredsNamingTheProblem(engine: BrokerEngine) throws {
        let topic = uniqueTopic("http-errors")
        let path = "/topics/\(topic)"
        let json = "application/json"
        // The REST proxy's routes answer in its media type, with its codes.
        let v2 = "application/vnd.kafka.v2+json"
        try expectProblem(engine, Self.httpAPIEvent("POST", path, contentType: json, body: "{not json"), 400, "not valid JSON", contentType: v2)
        try expectProblem(engine, Self.httpAPIEvent("POST", path, contentType: json, body: #"{"value":"x"}"#), 422, "records", errorCode: 42200, contentType: v2)
        try expectProblem(engine, Self.httpAPIEvent("POST", path, contentType: json, body: #"{"records":{}}"#), 422, "records", errorCode: 42200, contentType: v2)
        let binary = "application/vnd.kafka.binary.v2+json"
        try expectProblem(engine, Self.httpAPIEvent("POST", path, contentType: binary, body: #"{"records":[{"value":1}]}"#), 400, "not a base64 string", contentType: v2)
        try expectProblem(engine, Self.restAPIEvent("POST", path, contentType: binary, body: #"{"records":[{"value":"%%"}]}"#), 400, "not a valid base64 string", contentType: v2)
        try expectProblem(engine, Self.httpAPIEvent("POST", "/topics/bad%20name", contentType: json, body: #"{"records":[{"value":1}]}"#), 400, "topic", contentType: v2)
        try expectProblem(engine, Self.httpAPIEvent("GET", "/topics/..%2F/records"), 400, "topic")
        try expectProblem(engine, Self.httpAPIEvent("GET", "/orders"), 404, "/orders")
        try expectProblem(engine, Self.httpAPIEvent("GET", "\(path)/partitions"), 404, "Topic not found", errorCode: 40401, contentType: v2)
        try expectProblem(engine, Self.restAPIEvent("GET", "/nothing/here", contentType: nil, body: nil), 404, "/nothing/here")
        let delete = try expectProblem(engine, Self.httpAPIEvent("DELETE", path), 405, "Method Not Allowed", contentType: v2)
        #expect(delete.headers["Allow"] == "GET,POST,OPTIONS")
        let postList = try expectProblem(engine, Self.restAPIEvent("POST", "/topics", contentType: json, body: "{}"), 405, "Method Not Allowed", contentType: v2)
        #expect(postList.headers["Allow"] == "GET,OPTIONS")
        try expectProblem(engine, Self.httpAPIEvent("POST", path, contentType: "text/plain", body: #"{"records":[{"value":1}]}"#), 415, "Content-Type", contentType: v2)
        try expectProblem(engine, Self.httpAPIEvent("POST", path, contentType: nil, body: #"{"records":[{"value":1}]}"#), 415, "Content-Type", contentType: v2)
        try expectProblem(engine, Self.httpAPIEvent("GET", "\(path)/records", query: ["colour": "blue"]), 400, "'colour'")
        try expectProblem(engine, Self.httpAPIEvent("GET", "\(path)/records", query: ["max_records": "0"]), 400, "max_records")
        try expectProblem(engine, Self.httpAPIEvent("GET", "\(path)/records", query: ["max_records": "many"]), 400, "max_records")
        try expectProblem(engine, Self.httpAPIEvent("GET", "\(path)/records", query: ["group_id": "g", "partition": "0"]), 400, "partition")
        // Nothing was produced by any of them: the topic does not exist.
        try expectTopicNotFound(engine, Self.httpAPIEvent("GET", "\(path)/offsets"))
        try expectTopicNotFound(engine, Self.httpAPIEvent("GET", "\(path)/records", query: ["timeout_ms": "2000"]))
    }

    @Test(arguments: BrokerEngine.allCases) func producingToAMissingTopicIsTheRestProxysNotFoundAndCreatesNothing(engine: BrokerEngine) throws {
        let topic = uniqueTopic("http-missing")
        let records = #"{"records":[{"value":"x"}]}"#
        try expectTopicNotFound(engine, Self.httpAPIEvent("POST", "/topics/\(topic)", contentType: Self.restProxyContentType, body: records))
        try expectTopicNotFound(engine, Self.restAPIEvent("POST", "/topics/\(topic)", contentType: "application/json", body: records))
        try expectTopicNotFound(engine, Self.httpAPIEvent("GET", "/topics/\(topic)/offsets"))
        let topics = try request(engine, Self.httpAPIEvent("GET", "/topics"))
        #expect((topics.json as? [String])?.contains(topic) == false)
    }

    @Test(arguments: BrokerEngine.allCases) func apiCallersUseOnlyGroupsUnderTheirOwnPrefix(engine: BrokerEngine) throws {
        let topic = uniqueTopic("http-groups")
        _ = try KafkaEndToEnd.shared(engine).produce(topic: topic, records: #"[{"value":"one"},{"value":"two"}]"#)
        let path = "/topics/\(topic)/records"
        // The schedule's group (or any other outside the prefix) is refused before Kafka is asked.
        for group in ["schedule-consumer", "ap-", "API-reader"] {
            try expectProblem(
                engine, Self.httpAPIEvent("GET", path, query: ["group_id": group, "timeout_ms": "2000"]), 403,
                "must start with 'api-'", errorCode: 40301)
        }
        let allowed = try request(engine, Self.httpAPIEvent("GET", path, query: ["group_id": "api-reader", "timeout_ms": "10000"]))
        #expect(allowed.status == 200, "\(String(decoding: allowed.body, as: UTF8.self))")
        #expect(allowed.object.int("count") == 2)
        #expect(allowed.object.string("group_id") == "api-reader")
    }

    /// No broker is involved: the mock is enough.
    @Test func preflightIsAnsweredWithoutABody() throws {
        let engine = BrokerEngine.mock
        for path in ["/topics", "/topics/orders", "/topics/orders/records"] {
            let answer = try request(engine, Self.httpAPIEvent("OPTIONS", path))
            #expect(answer.status == 204)
            #expect(answer.body.isEmpty)
        }
        let rest = try request(engine, Self.restAPIEvent("OPTIONS", "/topics/orders", contentType: nil, body: nil))
        #expect(rest.status == 204)
    }
}
