import APIGatewayFrontEnd
import Foundation
import FunctionCore
import JSON
import Kafka
import Logging
import Testing

/// The REST-proxy routes in-process: API Gateway HTTP API events through `APIGatewayFrontEnd` to
/// `FakeKafka`, answers read back as API Gateway proxy answers.
@Suite struct APIGatewayRouterInProcessTests {
    struct Answer {
        var status: Int
        var headers: [String: String]
        var body: [String: Any]
        var bodyText: String
    }

    static func send(
        _ method: String, _ path: String, query: [String: String] = [:], body: String? = nil,
        contentType: String = "application/vnd.kafka.json.v2+json", to kafka: FakeKafka
    ) throws -> Answer {
        var event: [String: Any] = [
            "version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": "",
            "headers": ["content-type": contentType],
            "requestContext": ["http": ["method": method, "path": path], "stage": "$default"],
            "isBase64Encoded": false,
        ]
        if !query.isEmpty { event["queryStringParameters"] = query }
        if let body { event["body"] = body }
        let bytes = Array(try JSONSerialization.data(withJSONObject: event))
        let frontEnd = APIGatewayFrontEnd(clients: kafka, limits: CallerLimits(), sink: nil, cors: nil)
        let scanned = try ScannedEvent.scan(bytes)
        #expect(frontEnd.accepts(scanned))
        let invocation = FunctionInvocation(deadline: .now + .seconds(5), traceID: nil, logger: Logger(label: "router-test"))
        let answer = try frontEnd.handle(scanned, bytes: bytes, invocation: invocation)
        let proxy = try #require(try JSONSerialization.jsonObject(with: Data(answer)) as? [String: Any])
        let text = proxy["body"] as? String ?? ""
        return Answer(
            status: proxy["statusCode"] as? Int ?? 0, headers: proxy["headers"] as? [String: String] ?? [:],
            body: (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:], bodyText: text)
    }

    @Test func aProduceLandsInTheTopicAndAnswersTheOffsets() throws {
        let kafka = FakeKafka(topics: ["orders": 2])
        let answer = try Self.send("POST", "/topics/orders", body: #"{"records":[{"key":"k1","value":{"n":1}},{"value":"two","partition":1}]}"#, to: kafka)

        #expect(answer.status == 200, "\(answer.bodyText)")
        let offsets = try #require(answer.body["offsets"] as? [[String: Any]])
        #expect(offsets.map { $0["partition"] as? Int } == [0, 1])
        #expect(offsets.map { $0["offset"] as? Int } == [0, 0])
        #expect(kafka.records("orders", partition: 0).map { String(decoding: $0.value ?? [], as: UTF8.self) } == [#"{"n":1}"#])
        // The REST proxy's json format: Kafka holds each key and value's JSON serialisation.
        #expect(kafka.records("orders", partition: 0).first?.key == Array(#""k1""#.utf8))
        #expect(kafka.records("orders", partition: 1).map { String(decoding: $0.value ?? [], as: UTF8.self) } == [#""two""#])
    }

    @Test func aProduceToAMissingTopicIs404AndCreatesNothing() throws {
        let kafka = FakeKafka()
        let answer = try Self.send("POST", "/topics/nowhere", body: #"{"records":[{"value":1}]}"#, to: kafka)
        #expect(answer.status == 404)
        #expect(answer.body["error_code"] as? Int == 40401)
        #expect(!kafka.calls.contains { $0.hasPrefix("createTopic") }, "\(kafka.calls)")
    }

    @Test func recordsOffsetsAndTopicsAreReadBack() throws {
        let kafka = FakeKafka(topics: ["events": 1, "audit": 1])
        for n in 0..<5 { kafka.append("events", key: "k\(n)", value: Array("\(n)".utf8)) }

        let records = try Self.send("GET", "/topics/events/records", query: ["from": "2", "max_records": "2"], to: kafka)
        #expect(records.status == 200, "\(records.bodyText)")
        let returned = try #require(records.body["records"] as? [[String: Any]])
        #expect(returned.map { $0["offset"] as? Int } == [2, 3])
        #expect(returned.map { $0["key"] as? String } == ["k2", "k3"])

        let offsets = try Self.send("GET", "/topics/events/offsets", to: kafka)
        let partitions = try #require(offsets.body["partitions"] as? [[String: Any]])
        #expect(partitions.first?["earliest"] as? Int == 0)
        #expect(partitions.first?["latest"] as? Int == 5)

        let topics = try Self.send("GET", "/topics", to: kafka)
        #expect(topics.status == 200)
        #expect(try JSONSerialization.jsonObject(with: Data(topics.bodyText.utf8)) as? [String] == ["audit", "events"])
    }

    @Test func clientMistakesAre4xxWithoutTouchingKafka() throws {
        let kafka = FakeKafka(topics: ["events": 1])
        let method = try Self.send("DELETE", "/topics/events", to: kafka)
        #expect(method.status == 405)
        #expect(method.headers["Allow"] == "GET,POST,OPTIONS")
        #expect(try Self.send("GET", "/queues", to: kafka).status == 404)
        #expect(try Self.send("POST", "/topics/events", body: "{}", contentType: "text/plain", to: kafka).status == 415)
        let foreignGroup = try Self.send("GET", "/topics/events/records", query: ["group_id": "billing"], to: kafka)
        #expect(foreignGroup.status == 403)
        #expect(foreignGroup.body["error_code"] as? Int == 40301)
        #expect(kafka.calls.isEmpty, "\(kafka.calls)")
    }

    @Test func aKafkaTimeoutIsA504WithoutTheServerSideDetail() throws {
        let kafka = FakeKafka(topics: ["events": 1], failure: FakeKafka.timedOut)
        let answer = try Self.send("GET", "/topics/events/offsets", to: kafka)
        #expect(answer.status == 504)
        #expect(!answer.bodyText.contains("secret-cluster"), "\(answer.bodyText)")
        #expect(!answer.bodyText.contains("Timed out talking"), "\(answer.bodyText)")
    }
}
