@testable import APIGatewayFrontEnd
@testable import DirectFrontEnd
import Encoding
@testable import EventSourceFrontEnd
@testable import FunctionCore
import FunctionMetrics
@testable import JSON
import Kafka
@testable import KafkaFunction
import Logging
import PubSubWire
import Testing
@testable import WebSocketFrontEnd

@Suite struct PubSubCommandTests {
    @Test func decodesAPISIXCommandsInProtobufJSONForm() {
        let list = PubSubCommand.decode(#"{"sequence":1,"cmd_kafka_list_offset":{"topic":"t","partition":2,"timestamp":-1}}"#)
        #expect(list.sequence == .number("1"))
        #expect(list.command == .success(.listOffset(topic: "t", partition: 2, query: .latest)))

        let earliest = PubSubCommand.decode(#"{"sequence":"9","cmdKafkaListOffset":{"topic":"t","timestamp":"-2"}}"#)
        #expect(earliest.sequence == .string("9"))
        #expect(earliest.command == .success(.listOffset(topic: "t", partition: 0, query: .earliest)))

        let byTime = PubSubCommand.decode(#"{"cmd_kafka_list_offset":{"topic":"t","timestamp":1764597600000}}"#)
        #expect(byTime.sequence == .number("0"))
        #expect(byTime.command == .success(.listOffset(topic: "t", partition: 0, query: .time(milliseconds: 1_764_597_600_000))))

        let fetch = PubSubCommand.decode(#"{"sequence":2,"cmd_kafka_fetch":{"topic":"t","partition":0,"offset":"9007199254740993"}}"#)
        #expect(fetch.command == .success(.fetch(topic: "t", partition: 0, offset: 9_007_199_254_740_993)))
    }

    @Test(arguments: [
        (#"[1]"#, "must be a JSON object"),
        (#"{"sequence":1}"#, "exactly one command"),
        (#"{"sequence":1,"cmd_empty":{}}"#, "exactly one command"),
        (#"{"sequence":1,"cmd_ping":{},"cmd_kafka_fetch":{"topic":"t"}}"#, "exactly one command"),
        (#"{"sequence":1,"cmd_kafka_fetch":{"topic":"t","offset":-1}}"#, "cmd_kafka_fetch.offset"),
        (#"{"sequence":1,"cmd_kafka_fetch":{"topic":"t","partiton":1}}"#, "Unknown field 'cmd_kafka_fetch.partiton'"),
        (#"{"sequence":1,"cmd_kafka_list_offset":{"topic":"t","timestamp":-3}}"#, "timestamp"),
        (#"{"sequence":1,"cmd_kafka_fetch":{"topic":"a/b"}}"#, "topic"),
        (#"{"sequence":1.5,"cmd_ping":{}}"#, "sequence"),
        (#"{"sequence":1,"cmd_ping":{"state":"not base64!"}}"#, "base64"),
    ])
    func refusesWithAClearMessage(_ text: String, _ expected: String) throws {
        let decoded = PubSubCommand.decode(text)
        guard case let .failure(error) = decoded.command else {
            Issue.record("\(text) decoded to \(decoded.command)")
            return
        }
        #expect(error.code == 400)
        #expect(error.message.contains(expected), "\(error.message)")
    }

    @Test func aFailedCommandStillEchoesItsSequence() {
        let decoded = PubSubCommand.decode(#"{"sequence":"77","cmd_kafka_fetch":{"topic":""}}"#)
        #expect(decoded.sequence == .string("77"))
        let answer = PubSubHandler.render(sequence: decoded.sequence, .failure(PubSubError(code: 400, message: "m")))
        #expect(String(decoding: answer, as: UTF8.self) == #"{"sequence":"77","error_resp":{"code":400,"message":"m"}}"#)
    }

    @Test func rendersMessagesAsProtobufJSONWithBase64Bytes() {
        var writer = JSONWriter(reservingCapacity: 64)
        PubSubHandler.render(
            ConsumedRecord(partition: 0, offset: 40, timestampMs: 1_764_597_600_000, key: Array("k".utf8), value: [0xFF, 0x00], headers: []),
            into: &writer)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"{"offset":40,"timestamp":1764597600000,"key":"aw==","value":"/wA="}"#)
        var tombstone = JSONWriter(reservingCapacity: 64)
        PubSubHandler.render(ConsumedRecord(partition: 0, offset: 1, timestampMs: nil, key: nil, value: nil, headers: []), into: &tombstone)
        #expect(String(decoding: tombstone.bytes, as: UTF8.self) == #"{"offset":1}"#)
    }

    @Test func webSocketEventsAreToldApartFromHTTPEvents() throws {
        let message = try JSONParser.parse(Array(#"""
            {"requestContext":{"routeKey":"$default","eventType":"MESSAGE","connectionId":"abc="},"body":"{}","isBase64Encoded":false}
            """#.utf8))
        #expect(WebSocketEvent.isWebSocketEvent(message))
        #expect(!APIGatewayRequest.isAPIGatewayEvent(message))
        let event = try WebSocketEvent.decode(message)
        #expect(event.kind == .message && event.connectionID == "abc=" && event.body == "{}")
        let http = try JSONParser.parse(Array(#"{"version":"2.0","rawPath":"/topics","requestContext":{"http":{"method":"GET"}}}"#.utf8))
        #expect(!WebSocketEvent.isWebSocketEvent(http))
    }

    /// Answers that need no broker: a ping, and commands refused before Kafka is asked.
    static func answer(_ body: String, binary: Bool, metrics: inout InvocationMetrics) -> [UInt8] {
        let event = WebSocketEvent(kind: .message, routeKey: "$default", connectionID: "c", body: body, isBase64Encoded: binary)
        let invocation = FunctionInvocation(deadline: .now + .seconds(1), traceID: nil, logger: .init(label: "t"))
        let clients = KafkaClients(configuration: KafkaConfiguration(bootstrapServers: "127.0.0.1:1"), logger: .init(label: "t"))
        let answer = PubSubHandler.handle(event, clients: clients, invocation: invocation)
        metrics = invocation.metrics
        return answer
    }

    /// The binary `PubSubResp` of a proxy answer with `isBase64Encoded: true`.
    static func binaryAnswer(_ proxy: [UInt8]) throws -> PubSubResponse {
        let document = try JSONParser.parse(proxy)
        #expect(document["isBase64Encoded"] == .bool(true))
        #expect(document["statusCode"] == .number("200"))
        let body = try #require(document["body"]?.stringValue)
        return try PubSubResponse.decode(try #require(Base64.decode(body)))
    }

    @Test func connectAndDisconnectAnswer200() {
        #expect(String(decoding: PubSubHandler.proxyAnswer(body: nil), as: UTF8.self) == #"{"statusCode":200}"#)
    }

    @Test func aBinaryPingIsAnsweredWithABinaryPong() throws {
        var metrics = InvocationMetrics()
        let request = PubSubRequest(sequence: 42, command: .ping(state: [0, 1, 0xFF]))
        let answer = try Self.binaryAnswer(Self.answer(Base64.encode(request.encoded()), binary: true, metrics: &metrics))
        #expect(answer == PubSubResponse(sequence: 42, body: .pong(state: [0, 1, 0xFF])))
        #expect(metrics.action == "ping" && metrics.errorType == nil)
    }

    @Test(arguments: [
        ("AAE=", 0, "The message is not a PubSubReq: invalid field number 0 at byte 0"),
        ("not base64!", 0, "not base64"),
        (Base64.encode(PubSubRequest(sequence: 3, command: nil).encoded()), 3, "exactly one command"),
        (Base64.encode(PubSubRequest(sequence: 4, command: .empty).encoded()), 4, "exactly one command"),
        (Base64.encode(PubSubRequest(sequence: 5, command: .kafkaFetch(topic: "t", partition: 0, offset: -1)).encoded()), 5, "cmd_kafka_fetch.offset"),
        (Base64.encode(PubSubRequest(sequence: 6, command: .kafkaFetch(topic: "", partition: 0, offset: 0)).encoded()), 6, "cmd_kafka_fetch.topic"),
        (Base64.encode(PubSubRequest(sequence: 7, command: .kafkaListOffset(topic: "t", partition: -1, timestamp: -1)).encoded()), 7, "partition"),
        (Base64.encode(PubSubRequest(sequence: 8, command: .kafkaListOffset(topic: "t", partition: 0, timestamp: -3)).encoded()), 8, "timestamp"),
    ] as [(String, Int64, String)])
    func aBadBinaryFrameIsABinaryErrorResp(body: String, sequence: Int64, expected: String) throws {
        var metrics = InvocationMetrics()
        let answer = try Self.binaryAnswer(Self.answer(body, binary: true, metrics: &metrics))
        #expect(answer.sequence == sequence)
        guard case let .error(code, message) = answer.body else {
            Issue.record("\(answer)")
            return
        }
        #expect(code == 400)
        #expect(message.contains(expected), "\(message)")
        #expect(metrics.errorType == "PubSub.400")
    }

    @Test(arguments: ["aGk=", "aGk", "aGk=", "_-8", "_-8=", "/+8=", "/+8"])
    func pingStateTakesEveryBase64FormProtobufJSONTakes(state: String) {
        var metrics = InvocationMetrics()
        let text = String(decoding: Self.answer(#"{"sequence":1,"cmd_ping":{"state":"\#(state)"}}"#, binary: false, metrics: &metrics), as: UTF8.self)
        let expected = state.hasPrefix("aGk") ? "aGk=" : "/+8="
        #expect(text.contains(#"pong_resp\":{\"state\":\"\#(expected)\"}"#), "\(text)")
    }

    @Test func aServerSideFailureIsGenericForTheClientAndLogged() {
        var logged: [String] = []
        let failure = PubSubError(code: 502, message: "Kafka failed while fetching t/0: role arn:aws:iam::123456789012:role/r")
        let shown = failure.forClient { logged.append($0) }
        #expect(shown == PubSubError(code: 502, message: "Kafka failed or refused the request; the function's log has the details"))
        #expect(logged == ["error_resp 502: Kafka failed while fetching t/0: role arn:aws:iam::123456789012:role/r"])
        let mistake = PubSubError(code: 416, message: "OFFSET_OUT_OF_RANGE: offset 9 of t/0 is outside its stored range, 0 to 5")
        #expect(mistake.forClient { logged.append($0) } == mistake)
        #expect(logged.count == 1)
    }
}
