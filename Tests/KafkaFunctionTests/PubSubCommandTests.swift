import Kafka
import Logging
@testable import APIGatewayFrontEnd
@testable import DirectFrontEnd
@testable import EventSourceFrontEnd
@testable import FunctionCore
@testable import JSON
@testable import KafkaFunction
@testable import WebSocketFrontEnd
import Testing

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

    @Test func connectAndDisconnectAnswer200AndBinaryMessagesAreRefused() throws {
        #expect(String(decoding: PubSubHandler.proxyAnswer(body: nil), as: UTF8.self) == #"{"statusCode":200}"#)
        let binary = WebSocketEvent(kind: .message, routeKey: "$default", connectionID: "c", body: "AAE=", isBase64Encoded: true)
        let invocation = FunctionInvocation(deadline: .now + .seconds(1), traceID: nil, logger: .init(label: "t"))
        let clients = KafkaClients(configuration: KafkaConfiguration(bootstrapServers: "127.0.0.1:1"), logger: .init(label: "t"))
        let answer = PubSubHandler.handle(binary, clients: clients, invocation: invocation)
        let text = String(decoding: answer, as: UTF8.self)
        #expect(text.contains(#"\"code\":415"#), "\(text)")
        #expect(invocation.metrics.errorType == "PubSub.415")
    }
}
