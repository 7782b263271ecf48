import Encoding
import Foundation
import FunctionCore
import JSON
import Kafka
import Logging
import PubSubWire
import Testing
import WebSocketFrontEnd

/// APISIX's pub/sub protocol in-process: WebSocket API events through `WebSocketFrontEnd` to
/// `FakeKafka`; each message is answered with one `PubSubResp`, a failure as its `error_resp`.
@Suite struct PubSubInProcessTests {
    /// The `PubSubResp` a message is answered with, parsed.
    static func send(_ command: String, to kafka: FakeKafka) throws -> [String: Any] {
        let event: [String: Any] = [
            "requestContext": ["routeKey": "$default", "eventType": "MESSAGE", "connectionId": "conn-1="],
            "body": command, "isBase64Encoded": false,
        ]
        let bytes = Array(try JSONSerialization.data(withJSONObject: event))
        let frontEnd = WebSocketFrontEnd(clients: kafka)
        let scanned = try ScannedEvent.scan(bytes)
        #expect(frontEnd.accepts(scanned))
        let invocation = FunctionInvocation(deadline: .now + .seconds(5), traceID: nil, logger: Logger(label: "pubsub-test"))
        let answer = try frontEnd.handle(scanned, bytes: bytes, invocation: invocation)
        let proxy = try #require(try JSONSerialization.jsonObject(with: Data(answer)) as? [String: Any])
        #expect(proxy["statusCode"] as? Int == 200, "a command's failure keeps the connection")
        let body = try #require(proxy["body"] as? String)
        return try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
    }

    @Test func listOffsetAnswersTheEarliestAndLatestOffset() throws {
        let kafka = FakeKafka(topics: ["t": 1])
        for n in 0..<42 { kafka.append("t", key: nil, value: [UInt8(n)]) }
        let latest = try Self.send(#"{"sequence":1,"cmd_kafka_list_offset":{"topic":"t","partition":0,"timestamp":-1}}"#, to: kafka)
        #expect(latest["sequence"] as? Int == 1)
        #expect((latest["kafka_list_offset_resp"] as? [String: Any])?["offset"] as? Int == 42)
        let earliest = try Self.send(#"{"sequence":2,"cmd_kafka_list_offset":{"topic":"t","partition":0,"timestamp":-2}}"#, to: kafka)
        #expect((earliest["kafka_list_offset_resp"] as? [String: Any])?["offset"] as? Int == 0)
        #expect(kafka.calls == ["offset t 0 latest", "offset t 0 earliest"])
    }

    @Test func fetchReturnsTheRecordsFromTheOffsetInBase64() throws {
        let kafka = FakeKafka(topics: ["t": 1])
        for n in 0..<5 { kafka.append("t", key: "user-\(n)", value: Array(#"{"id":\#(n)}"#.utf8)) }
        let answer = try Self.send(#"{"sequence":3,"cmd_kafka_fetch":{"topic":"t","partition":0,"offset":3}}"#, to: kafka)
        #expect(answer["sequence"] as? Int == 3)
        let messages = try #require((answer["kafka_fetch_resp"] as? [String: Any])?["messages"] as? [[String: Any]])
        #expect(messages.map { $0["offset"] as? Int } == [3, 4])
        #expect(messages.first?["key"] as? String == Base64.encode(Array("user-3".utf8)))
        #expect(messages.first?["value"] as? String == Base64.encode(Array(#"{"id":3}"#.utf8)))
    }

    @Test func aRecordTooBigForOneMessageIsA413NamingItsOffset() throws {
        let kafka = FakeKafka(topics: ["t": 1])
        kafka.append("t", key: nil, value: Array(repeating: 0x61, count: 100 * 1024))
        let answer = try Self.send(#"{"sequence":4,"cmd_kafka_fetch":{"topic":"t","partition":0,"offset":0}}"#, to: kafka)
        let error = try #require(answer["error_resp"] as? [String: Any])
        #expect(error["code"] as? Int == 413)
        #expect((error["message"] as? String)?.contains("fetch from offset 1") == true)
    }

    @Test func aMissingTopicOrPartitionIsA404AndABadCommandA400() throws {
        let kafka = FakeKafka(topics: ["t": 1])
        let missing = try Self.send(#"{"sequence":5,"cmd_kafka_fetch":{"topic":"absent","partition":0,"offset":0}}"#, to: kafka)
        #expect((missing["error_resp"] as? [String: Any])?["code"] as? Int == 404)
        let noPartition = try Self.send(#"{"sequence":6,"cmd_kafka_fetch":{"topic":"t","partition":7,"offset":0}}"#, to: kafka)
        #expect((noPartition["error_resp"] as? [String: Any])?["code"] as? Int == 404)
        let bad = try Self.send(#"{"sequence":7,"cmd_kafka_fetch":{"topic":"no spaces allowed","offset":0}}"#, to: kafka)
        #expect(bad["sequence"] as? Int == 7)
        #expect((bad["error_resp"] as? [String: Any])?["code"] as? Int == 400)
    }

    @Test func aKafkaTimeoutIsA504ErrorResponseAndPingNeedsNoKafka() throws {
        let kafka = FakeKafka(topics: ["t": 1], failure: FakeKafka.timedOut)
        let timedOut = try Self.send(#"{"sequence":8,"cmd_kafka_list_offset":{"topic":"t","partition":0,"timestamp":-1}}"#, to: kafka)
        #expect((timedOut["error_resp"] as? [String: Any])?["code"] as? Int == 504)
        // The broker's name stays in the log: the client reads a generic message.
        #expect((timedOut["error_resp"] as? [String: Any])?["message"] as? String
                == "Kafka did not answer in time; the function's log has the details")
        let pong = try Self.send(#"{"sequence":9,"cmd_ping":{"state":"aGk="}}"#, to: kafka)
        #expect((pong["pong_resp"] as? [String: Any])?["state"] as? String == "aGk=")
    }

    @Test func aFetchAtTheEndIsEmptyAndPastItOffsetOutOfRange() throws {
        let kafka = FakeKafka(topics: ["t": 1])
        for n in 0..<3 { kafka.append("t", key: nil, value: [UInt8(n)]) }
        let end = try Self.send(#"{"sequence":10,"cmd_kafka_fetch":{"topic":"t","partition":0,"offset":3}}"#, to: kafka)
        #expect((end["kafka_fetch_resp"] as? [String: Any])?["messages"] as? [Any] != nil)
        #expect(((end["kafka_fetch_resp"] as? [String: Any])?["messages"] as? [Any])?.isEmpty == true)
        let past = try Self.send(#"{"sequence":11,"cmd_kafka_fetch":{"topic":"t","partition":0,"offset":4}}"#, to: kafka)
        let error = try #require(past["error_resp"] as? [String: Any])
        #expect(error["code"] as? Int == 416)
        #expect((error["message"] as? String)?.hasPrefix("OFFSET_OUT_OF_RANGE: ") == true, "\(error)")
    }

    @Test func aBinaryFetchIsAnsweredWithABinaryPubSubResp() throws {
        let kafka = FakeKafka(topics: ["t": 1])
        for n in 0..<3 { kafka.append("t", key: "k\(n)", value: [UInt8(n)]) }
        let request = PubSubRequest(sequence: 12, command: .kafkaFetch(topic: "t", partition: 0, offset: 1))
        let event: [String: Any] = [
            "requestContext": ["routeKey": "$default", "eventType": "MESSAGE", "connectionId": "conn-1="],
            "body": Base64.encode(request.encoded()), "isBase64Encoded": true,
        ]
        let bytes = Array(try JSONSerialization.data(withJSONObject: event))
        let invocation = FunctionInvocation(deadline: .now + .seconds(5), traceID: nil, logger: Logger(label: "pubsub-test"))
        let answer = try WebSocketFrontEnd(clients: kafka).handle(try ScannedEvent.scan(bytes), bytes: bytes, invocation: invocation)
        let proxy = try #require(try JSONSerialization.jsonObject(with: Data(answer)) as? [String: Any])
        #expect(proxy["isBase64Encoded"] as? Bool == true)
        let body = try #require(proxy["body"] as? String)
        let frame = try #require(Base64.decode(body))
        let response = try PubSubResponse.decode(frame)
        #expect(response.sequence == 12)
        guard case let .kafkaFetch(messages) = response.body else {
            Issue.record("\(response)")
            return
        }
        #expect(messages.map(\.offset) == [1, 2])
        #expect(messages.map(\.key) == [Array("k1".utf8), Array("k2".utf8)])
        #expect(messages.map(\.value) == [[1], [2]])
    }
}
