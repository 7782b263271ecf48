import Foundation
import TestSupport
import Testing

/// Invalid events through the real bootstrap: each is answered with a structured error that
/// names the problem, and the same process then serves a valid event.
@Suite(.offCooperativePool, .serialized, .kafkaEndToEnd) struct InvalidEventEndToEndTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var event: String
        var errorType: String
        /// Text the message must contain: the field's path, or the problem.
        var names: String
        var testDescription: String { "\(event.prefix(80)) -> \(names)" }

        init(_ event: String, _ names: String, _ errorType: String = "Function.InvalidEvent") {
            self.event = event
            self.errorType = errorType
            self.names = names
        }
    }

    static let tooLongTopic = String(repeating: "t", count: 250)
    static let deeplyNested = String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)

    static let cases: [Case] = [
        Case("not json", "not valid JSON"),
        Case(#"{"action":"offsets","topic":"t"} trailing"#, "not valid JSON"),
        Case(#"{"action":"offsets","topic":"t""#, "not valid JSON"),
        Case("[1,2]", "must be a JSON object"),
        Case(#""produce""#, "must be a JSON object"),
        Case(#"{"action":"produce","topic":"t","records":[{"value":\#(deeplyNested)}]}"#, "nesting"),
        Case("{}", "'action' is required"),
        Case(#"{"action":42,"topic":"t"}"#, "'action' must be a string"),
        Case(#"{"action":"delete","topic":"t"}"#, "'delete'", "Function.UnknownAction"),
        Case(#"{"action":"offsets","topic":"a","topic":"b"}"#, "'topic' appears more than once"),
        Case(#"{"action":"produce"}"#, "'topic' is required"),
        Case(#"{"action":"produce","topic":""}"#, "'topic' must not be empty"),
        Case(#"{"action":"produce","topic":"has space"}"#, "'topic' may contain only"),
        Case(#"{"action":"produce","topic":".."}"#, "'topic' cannot be"),
        Case(#"{"action":"consume","topic":"\#(tooLongTopic)"}"#, "'topic' is longer than 249"),
        Case(#"{"action":"offsets","topic":42}"#, "'topic' must be a string"),
        Case(#"{"action":"produce","topic":"t","partitions":3}"#, "Unknown field 'partitions'"),
        Case(#"{"action":"produce","topic":"t","records":"x"}"#, "'records' must be an array"),
        Case(#"{"action":"produce","topic":"t","records":[]}"#, "'records' must not be empty"),
        Case(#"{"action":"produce","topic":"t","records":[1]}"#, "'records[0]' must be a JSON object"),
        Case(#"{"action":"produce","topic":"t","records":[{"value":1},{"key":"k"}]}"#, "'records[1].value' is required"),
        Case(#"{"action":"produce","topic":"t","records":[{"value":"v","key":5}]}"#, "'records[0].key' must be a string"),
        Case(#"{"action":"produce","topic":"t","records":[{"value":"!!","encoding":"base64"}]}"#, "'records[0].value' is not valid base64"),
        Case(#"{"action":"produce","topic":"t","records":[{"value":{"a":1},"encoding":"base64"}]}"#, "'records[0].value' must be a string"),
        Case(#"{"action":"produce","topic":"t","records":[{"value":"v","encoding":"hex"}]}"#, "'records[0].encoding' must be"),
        Case(#"{"action":"produce","topic":"t","records":[{"value":"v","partition":-1}]}"#, "'records[0].partition' must be an integer"),
        Case(#"{"action":"produce","topic":"t","records":[{"value":"v","partition":1.5}]}"#, "'records[0].partition' must be an integer"),
        Case(#"{"action":"produce","topic":"t","records":[{"value":"v","headers":"h"}]}"#, "'records[0].headers' must be an object or an array"),
        Case(#"{"action":"produce","topic":"t","records":[{"value":"v","headers":{"h":1}}]}"#, "'records[0].headers.h' must be a string"),
        Case(#"{"action":"produce","topic":"t","records":[{"value":"v","headers":[{"value":"x"}]}]}"#, "'records[0].headers[0].key' is required"),
        Case(#"{"action":"produce","topic":"t","records":[{"value":"v","timestamp":1}]}"#, "Unknown field 'records[0].timestamp'"),
        Case(#"{"action":"produce","topic":"t","records":[{"value":"v"}],"generate":{"count":1}}"#, "'records' and 'generate'"),
        Case(#"{"action":"produce","topic":"t","generate":{"count":0}}"#, "'generate.count' must be an integer"),
        Case(#"{"action":"produce","topic":"t","generate":{"value_bytes":2000000}}"#, "'generate.value_bytes' must be an integer"),
        Case(#"{"action":"produce","topic":"t","generate":{"size":1}}"#, "Unknown field 'generate.size'"),
        Case(#"{"action":"produce","topic":"t","num_partitions":0}"#, "'num_partitions' must be an integer"),
        Case(#"{"action":"produce","topic":"t","replication_factor":-2}"#, "'replication_factor' must be an integer"),
        Case(#"{"action":"produce","topic":"t","create_topic":"yes"}"#, "'create_topic' must be true or false"),
        Case(#"{"action":"consume","topic":"t","from":"middle"}"#, "'from'"),
        Case(#"{"action":"consume","topic":"t","from":-1}"#, "'from'"),
        Case(#"{"action":"consume","topic":"t","group_id":"g","partition":0}"#, "'group_id' and 'partition'"),
        Case(#"{"action":"consume","topic":"t","group_id":""}"#, "'group_id' must be 1 to 255"),
        Case(#"{"action":"consume","topic":"t","max_records":0}"#, "'max_records' must be an integer"),
        Case(#"{"action":"consume","topic":"t","max_records":1e400}"#, "'max_records' must be an integer"),
        Case(#"{"action":"consume","topic":"t","timeout_ms":900001}"#, "'timeout_ms' must be an integer"),
        Case(#"{"action":"consume","topic":"t","timeout_ms":"5"}"#, "'timeout_ms' must be an integer"),
        Case(#"{"action":"offsets","topic":"t","partition":0}"#, "Unknown field 'partition'"),
        Case(#"{"source":"aws.events","detail-type":"Scheduled Event","detail":{}}"#, "no action in its 'detail'"),
        Case(#"{"source":"aws.events","detail-type":"Scheduled Event","detail":{"action":"consume","topic":"a b"}}"#, "'topic' may contain only"),
    ]

    @Test(arguments: BrokerEngine.allCases) func eachInvalidEventIsAnsweredWithANamedErrorAndTheProcessServesTheNext(engine: BrokerEngine) throws {
        let kafka = try KafkaEndToEnd.shared(engine)
        let topic = uniqueTopic("valid")
        let positions = try kafka.produce(topic: topic, records: #"[{"value":"still here"}]"#)
        let valid = #"{"action":"offsets","topic":"\#(topic)"}"#
        let pid = try kafka.emulator.bootstrapPID()
        let servedBefore = try #require(try kafka.emulator.status().int("invocations_served"))
        #expect(Self.cases.count >= 30)

        for testCase in Self.cases {
            let result = try kafka.invoke(testCase.event)
            #expect(result.status == 200 && result.functionError == "Unhandled", "\(testCase.testDescription): \(result.text.prefix(300))")
            let body = try result.jsonObject()
            #expect(body.string("errorType") == testCase.errorType, "\(testCase.testDescription): \(body)")
            let message = body.string("errorMessage") ?? ""
            #expect(message.contains(testCase.names), "\(testCase.testDescription): \(message)")
            #expect(message.count < 1000, "the message does not echo the whole event")
            #expect(body["stackTrace"] is [Any])

            let next = try kafka.succeed(valid)
            #expect(next.objects("partitions").contains { $0.int("partition") == positions.first?.partition && $0.int("latest") == 1 })
        }
        #expect(try kafka.emulator.bootstrapPID() == pid)
        // Every invocation was answered: none lost, none answered twice.
        #expect(try kafka.emulator.status().int("invocations_served") == servedBefore + 2 * Self.cases.count)
        #expect(try kafka.emulator.restarts() == 0)
    }

    @Test(arguments: BrokerEngine.allCases) func createTopicFalseOnAMissingTopicIsTopicNotFound(engine: BrokerEngine) throws {
        let kafka = try KafkaEndToEnd.shared(engine)
        let topic = uniqueTopic("missing")
        let body = try kafka.fail(#"{"action":"produce","topic":"\#(topic)","create_topic":false,"records":[{"value":"x"}]}"#)
        #expect(body.string("errorType") == "Function.TopicNotFound")
        #expect(body.string("errorMessage")?.contains(topic) == true)
        // The lookup did not create it either.
        let offsets = try kafka.fail(#"{"action":"offsets","topic":"\#(topic)"}"#)
        #expect(offsets.string("errorType") == "Function.TopicNotFound")
    }

    @Test(arguments: BrokerEngine.allCases) func consumingAMissingTopicIsTopicNotFound(engine: BrokerEngine) throws {
        let kafka = try KafkaEndToEnd.shared(engine)
        let topic = uniqueTopic("never-produced")
        let body = try kafka.fail(#"{"action":"consume","topic":"\#(topic)","timeout_ms":3000}"#)
        #expect(body.string("errorType") == "Function.TopicNotFound")
        #expect(body.string("errorMessage")?.contains(topic) == true)
    }

    @Test(arguments: BrokerEngine.allCases) func consumingAPartitionTheTopicDoesNotHaveNamesThePartition(engine: BrokerEngine) throws {
        let kafka = try KafkaEndToEnd.shared(engine)
        let topic = uniqueTopic("four-partitions")
        _ = try kafka.produce(topic: topic, records: #"[{"value":"x"}]"#)
        let partitions = try kafka.storedCounts(topic: topic).count
        let body = try kafka.fail(#"{"action":"consume","topic":"\#(topic)","partition":\#(partitions),"timeout_ms":3000}"#)
        #expect(body.string("errorType") == "Function.InvalidEvent")
        #expect(body.string("errorMessage")?.contains("'partition'") == true)
        #expect(body.string("errorMessage")?.contains("no partition \(partitions)") == true)
    }

    @Test(arguments: BrokerEngine.allCases) func theScheduledEventSampleRunsTheActionInItsDetail(engine: BrokerEngine) throws {
        let kafka = try KafkaEndToEnd.shared(engine)
        var event = try SampleEvents.object("eventbridge-scheduled-consume.json")
        var detail = try #require(event["detail"] as? [String: Any])
        let topic = uniqueTopic("scheduled")
        detail["topic"] = topic
        event["detail"] = detail
        let positions = try kafka.produce(topic: topic, records: #"[{"value":"tick-1"},{"value":"tick-2"}]"#)

        let answer = try kafka.succeed(try serialize(event))
        #expect(answer.string("action") == "consume")
        #expect(answer.string("topic") == topic)
        #expect(Set(answer.objects("records").compactMap(LogPosition.init)) == Set(positions))

        // The same event without an action in its detail is refused, naming the problem.
        detail["action"] = nil
        event["detail"] = detail
        let refused = try kafka.fail(try serialize(event))
        #expect(refused.string("errorType") == "Function.InvalidEvent")
        #expect(refused.string("errorMessage")?.contains("detail") == true)
    }
}
