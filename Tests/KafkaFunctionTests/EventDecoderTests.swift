@testable import APIGatewayFrontEnd
@testable import DirectFrontEnd
@testable import EventSourceFrontEnd
@testable import FunctionCore
@testable import JSON
@testable import KafkaFunction
@testable import WebSocketFrontEnd
import Kafka
import Testing

@Suite struct EventDecoderTests {
    private func decode(_ text: String) throws(FunctionError) -> ActionRequest {
        try EventDecoder.decode(Array(text.utf8))
    }

    private func error(_ text: String) -> FunctionError? {
        do {
            _ = try decode(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func decodesProduceWithRecordsOfEveryValueKind() throws {
        let request = try decode(#"""
        {"action":"produce","topic":"orders","num_partitions":6,"replication_factor":2,"create_topic":false,
         "records":[{"key":"k1","value":{"a":[1,2]},"headers":{"h":"v"}},
                    {"value":"text","partition":2},
                    {"value":"3q2+7w==","encoding":"base64","headers":[{"key":"h","value":"1"},{"key":"h","value":"2"}]},
                    {"value":null}]}
        """#)
        guard case let .produce(produce) = request, case let .supplied(records) = produce.records else {
            Issue.record("expected a produce request with records, got \(request)")
            return
        }
        #expect(produce.topic == "orders")
        #expect(produce.numPartitions == 6)
        #expect(produce.replicationFactor == 2)
        #expect(produce.createTopic == false)
        #expect(records.count == 4)
        #expect(records[0].key == Array("k1".utf8))
        #expect(records[0].value == Array(#"{"a":[1,2]}"#.utf8))
        #expect(records[0].headers.map(\.0) == ["h"])
        #expect(records[1].value == Array("text".utf8))
        #expect(records[1].partition == 2)
        #expect(records[2].value == [0xDE, 0xAD, 0xBE, 0xEF])
        #expect(records[2].headers.map { String(decoding: $0.1, as: UTF8.self) } == ["1", "2"])
        #expect(records[3].value == nil)
    }

    @Test func produceWithoutRecordsSendsSamples() throws {
        guard case let .produce(produce) = try decode(#"{"action":"produce","topic":"users"}"#),
              case .samples = produce.records else {
            Issue.record("expected the sample records")
            return
        }
        #expect(produce.createTopic)
        #expect(produce.numPartitions == 3)
    }

    @Test func decodesConsumeOptions() throws {
        guard case let .consume(options) = try decode(#"{"action":"consume","topic":"t","from":42,"partition":1,"max_records":7,"timeout_ms":250}"#) else {
            Issue.record("expected a consume request")
            return
        }
        #expect(options.partition == 1)
        #expect(options.maxRecords == 7)
        #expect(options.timeoutMilliseconds == 250)
        guard case .offset(42) = options.start else {
            Issue.record("expected start at offset 42, got \(options.start)")
            return
        }
    }

    @Test func unwrapsEventBridgeDetail() throws {
        let event = #"{"version":"0","detail-type":"Scheduled Event","source":"aws.events","detail":{"action":"offsets","topic":"t"}}"#
        guard case .offsets(topic: "t") = try decode(event) else {
            Issue.record("expected an offsets request")
            return
        }
        let missing = error(#"{"detail-type":"Scheduled Event","source":"aws.events","detail":{}}"#)
        #expect(missing?.kind == .invalidEvent)
        #expect(missing?.errorMessage.contains("detail") == true)
    }

    @Test(arguments: [
        (#"not json"#, "not valid JSON"),
        (#"[]"#, "must be a JSON object"),
        (#"{}"#, "'action' is required"),
        (#"{"action":"produce"}"#, "'topic' is required"),
        (#"{"action":"produce","topic":""}"#, "'topic' must not be empty"),
        (#"{"action":"produce","topic":"bad name"}"#, "'topic' may contain only"),
        (#"{"action":"produce","topic":".."}"#, "cannot be '.' or '..'"),
        (#"{"action":"produce","topic":"t","tpoic":"x"}"#, "Unknown field 'tpoic'"),
        (#"{"action":"produce","topic":"t","topic":"u"}"#, "appears more than once"),
        (#"{"action":"produce","topic":7}"#, "'topic' must be a string, got number"),
        (#"{"action":"produce","topic":"t","records":[]}"#, "'records' must not be empty"),
        (#"{"action":"produce","topic":"t","records":{}}"#, "'records' must be an array"),
        (#"{"action":"produce","topic":"t","records":[{"key":"k"}]}"#, "'records[0].value' is required"),
        (#"{"action":"produce","topic":"t","records":[{"value":1,"colour":"red"}]}"#, "Unknown field 'records[0].colour'"),
        (#"{"action":"produce","topic":"t","records":[{"value":"***","encoding":"base64"}]}"#, "not valid base64"),
        (#"{"action":"produce","topic":"t","records":[{"value":"x","encoding":"hex"}]}"#, "'records[0].encoding' must be \"base64\""),
        (#"{"action":"produce","topic":"t","records":[{"value":"x","partition":-1}]}"#, "'records[0].partition' must be an integer"),
        (#"{"action":"produce","topic":"t","records":[{"value":"x","headers":{"h":1}}]}"#, "'records[0].headers.h' must be a string"),
        (#"{"action":"produce","topic":"t","num_partitions":0}"#, "'num_partitions' must be an integer"),
        (#"{"action":"produce","topic":"t","num_partitions":1.5}"#, "'num_partitions' must be an integer"),
        (#"{"action":"produce","topic":"t","num_partitions":99999999999999999999}"#, "'num_partitions' must be an integer"),
        (#"{"action":"produce","topic":"t","create_topic":"yes"}"#, "'create_topic' must be true or false"),
        (#"{"action":"produce","topic":"t","generate":{"count":100000,"value_bytes":1000}}"#, "more than"),
        (#"{"action":"produce","topic":"t","generate":{"count":100001}}"#, "'generate.count' must be an integer from 1 to 100000"),
        (#"{"action":"consume","topic":"t","from":"middle"}"#, "'from' must be"),
        (#"{"action":"consume","topic":"t","from":-3}"#, "'from' must be"),
        (#"{"action":"consume","topic":"t","max_records":0}"#, "'max_records' must be an integer"),
        (#"{"action":"consume","topic":"t","timeout_ms":-1}"#, "'timeout_ms' must be an integer"),
        (#"{"action":"consume","topic":"t","group_id":""}"#, "'group_id' must be 1 to 255"),
        (#"{"action":"consume","topic":"t","group_id":"g","partition":0}"#, "cannot be used together"),
    ])
    func rejectsInvalidEventsNamingTheField(_ event: String, _ expected: String) {
        let failure = error(event)
        #expect(failure?.kind == .invalidEvent)
        #expect(failure?.errorMessage.contains(expected) == true, "message: \(failure?.errorMessage ?? "none")")
    }

    @Test func unknownActionHasItsOwnType() {
        let failure = error(#"{"action":"delete","topic":"t"}"#)
        #expect(failure?.kind == .unknownAction)
        #expect(failure?.errorType == "Function.UnknownAction")
    }

    @Test func errorBodyIsStructuredJSON() throws {
        let failure = FunctionError(.produceIncomplete, "1 of 2", details: [("failed_records", .array([.integer(1)]))])
        let body = try JSONParser.parse(failure.errorBody)
        #expect(body["errorType"] == .string("Function.ProduceIncomplete"))
        #expect(body["errorMessage"] == .string("1 of 2"))
        #expect(body["failed_records"] == .array([.number("1")]))
        #expect(body["stackTrace"] == .array([]))
    }
}
