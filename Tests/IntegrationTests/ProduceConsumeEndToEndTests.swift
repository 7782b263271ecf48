import Foundation
import TestSupport
import Testing

/// Produce then consume through the real bootstrap, emulator and local cluster: what comes back
/// is compared with what was sent, record by record, at the positions the produce result named.
@Suite(.offCooperativePool, .serialized, .kafkaEndToEnd) struct ProduceConsumeEndToEndTests {
    /// Bytes that are not UTF-8 (so they must come back as base64), every byte value included.
    static let binaryValue = Data([0xFF, 0x00, 0xFE, 0xC3, 0x28] + (0...255).map { UInt8($0) })

    @Test(arguments: BrokerEngine.allCases) func everyKindOfRecordRoundTripsExactly(engine: BrokerEngine) throws {
        let kafka = try KafkaEndToEnd.shared(engine)
        let topic = uniqueTopic("round-trip")
        let jsonObject = #"{"order_id":1001,"items":[{"sku":"a-1","qty":2}],"total":3.50,"gift":false}"#
        let jsonArray = #"[1,"two",3.5e2,true,null,{}]"#
        let text = "plain text: héllo wörld ✓ \"quoted\" \\ tab\t"
        let records = """
            [
              {"key":"order-1","value":\(jsonObject),"headers":[{"key":"trace","value":"t-1"},{"key":"trace","value":"t-2"},{"key":"empty"}]},
              {"key":"order-2","value":\(jsonArray),"headers":{"source":"batch","lang":"de"}},
              {"key":"greeting","value":\(jsonString(text))},
              {"key":"blob","value":"\(Self.binaryValue.base64EncodedString())","encoding":"base64"},
              {"key":"order-1","value":null},
              {"value":"no key, partition 2","partition":2},
              {"key":"","value":"","partition":3},
              {"key":"text-null","value":"null"}
            ]
            """
        // Four partitions: the mock auto-creates four whatever the event asks, a real broker creates what it asks.
        let positions = try kafka.produce(topic: topic, records: records, extra: #","num_partitions":4"#)
        try #require(positions.count == 8)
        #expect(positions[5].partition == 2)
        #expect(positions[6].partition == 3)

        let result = try kafka.invoke(#"{"action":"consume","topic":"\#(topic)","max_records":100,"timeout_ms":10000}"#)
        try #require(result.functionError == nil, "\(result.text)")
        let answer = try result.jsonObject()
        #expect(answer.int("count") == 8)
        #expect(answer.bool("end_of_partitions") == true)
        #expect(answer.bool("truncated") == false)
        let consumed = Dictionary(
            answer.objects("records").compactMap { record in LogPosition(record).map { ($0, record) } }, uniquingKeysWith: { first, _ in first })
        #expect(Set(consumed.keys) == Set(positions))
        let record = { (index: Int) throws -> [String: Any] in try #require(consumed[positions[index]], "record \(index) at \(positions[index])") }

        // JSON values come back as JSON, byte for byte as sent (compact form kept).
        #expect(result.text.contains(#""value":\#(jsonObject)}"#))
        #expect(result.text.contains(#""value":\#(jsonArray)}"#))
        let first = try record(0)
        #expect(first.string("key") == "order-1")
        #expect(headerPairs(first) == [["trace", "t-1"], ["trace", "t-2"], ["empty", ""]])
        #expect((first["value"] as? [String: Any])?.int("order_id") == 1001)
        #expect(first["encoding"] == nil)
        let second = try record(1)
        #expect(headerPairs(second) == [["source", "batch"], ["lang", "de"]])
        #expect((second["value"] as? [Any])?.count == 6)

        let greeting = try record(2)
        #expect(greeting.string("value") == text)
        #expect(greeting["encoding"] == nil)

        let blob = try record(3)
        #expect(blob.string("encoding") == "base64")
        #expect(blob.string("value").flatMap { Data(base64Encoded: $0) } == Self.binaryValue)

        let tombstone = try record(4)
        #expect(tombstone.string("key") == "order-1")
        #expect(tombstone.keys.contains("value") && tombstone["value"] is NSNull)

        let unkeyed = try record(5)
        #expect(unkeyed["key"] is NSNull)
        #expect(unkeyed.string("value") == "no key, partition 2")
        let empty = try record(6)
        #expect(empty.string("key") == "" && empty.string("value") == "")
        // The text "null" is not a tombstone.
        #expect(try record(7).string("value") == "null")
        #expect(answer.objects("records").allSatisfy { $0.int("timestamp") ?? 0 > 0 })
    }

    /// The runtime reads each event into the storage of the one before it when it fits
    /// (`RuntimeAPIClient.recycle`): events of the same, a smaller and a larger size in turn must
    /// each arrive whole, none carrying bytes of another.
    @Test func eventsOfChangingSizesEachArriveWhole() throws {
        let kafka = try KafkaEndToEnd.shared(.mock)
        let topic = uniqueTopic("sizes")
        var expected: [LogPosition: String] = [:]
        for (round, count) in [4000, 4000, 3, 6000, 3500].enumerated() {
            let values = (0..<count).map { "round-\(round)-record-\($0)" }
            let records = "[" + values.map { #"{"value":"\#($0)"}"# }.joined(separator: ",") + "]"
            let positions = try kafka.produce(topic: topic, records: records)
            try #require(positions.count == count)
            for (position, value) in zip(positions, values) { expected[position] = value }
        }
        let result = try kafka.consume(topic: topic, #","max_records":20000,"timeout_ms":20000"#)
        var stored: [LogPosition: String] = [:]
        for record in result.objects("records") {
            if let position = LogPosition(record) { stored[position] = record.string("value") }
        }
        #expect(stored.count == expected.count)
        let wrong = expected.filter { stored[$0.key] != $0.value }
        #expect(wrong.isEmpty, "\(wrong.count) records differ, e.g. \(wrong.first.map { "\($0.key): \(stored[$0.key] ?? "none") instead of \($0.value)" } ?? "")")
    }

    @Test(arguments: BrokerEngine.allCases) func producingWithoutRecordsSendsTheSamplesWhichAConsumeThenShows(engine: BrokerEngine) throws {
        let kafka = try KafkaEndToEnd.shared(engine)
        let topic = uniqueTopic("samples")
        let produced = try kafka.succeed(#"{"action":"produce","topic":"\#(topic)"}"#)
        let positions = produced.objects("records").compactMap(LogPosition.init)
        #expect(produced.int("count") == positions.count && positions.count >= 1)

        let consumed = try kafka.consume(topic: topic, #","timeout_ms":10000"#).objects("records")
        #expect(Set(consumed.compactMap(LogPosition.init)) == Set(positions))
        for record in consumed {
            #expect(record.string("key")?.isEmpty == false)
            #expect(record["value"] is [String: Any], "sample values are JSON objects: \(record)")
            #expect(headerPairs(record).contains(["content-type", "application/json"]))
        }
    }

    @Test(arguments: BrokerEngine.allCases) func aDrainedTopicAnswersLongBeforeTheTimeout(engine: BrokerEngine) throws {
        let kafka = try KafkaEndToEnd.shared(engine)
        let topic = uniqueTopic("drained")
        let positions = try kafka.produce(topic: topic, records: #"[{"value":"a"},{"value":"b"},{"value":"c"},{"value":"d"},{"value":"e"}]"#)
        let started = Date()
        let answer = try kafka.consume(topic: topic, #","timeout_ms":10000"#)
        let elapsed = Date().timeIntervalSince(started)
        #expect(answer.int("count") == positions.count)
        #expect(answer.bool("end_of_partitions") == true)
        #expect(elapsed < 5, "a drained topic must not wait for the 10 s timeout (took \(elapsed) s)")
        #expect((answer.int("elapsed_ms") ?? .max) < 5000)

        // An empty read ("from": "end") also returns at once.
        let emptyStarted = Date()
        let empty = try kafka.consume(topic: topic, #","from":"end","timeout_ms":10000"#)
        #expect(empty.int("count") == 0)
        #expect(empty.bool("end_of_partitions") == true)
        #expect(Date().timeIntervalSince(emptyStarted) < 5)
    }

    @Test(arguments: BrokerEngine.allCases) func maxRecordsFromOffsetAndOnePartitionSelectExactlyThoseRecords(engine: BrokerEngine) throws {
        let kafka = try KafkaEndToEnd.shared(engine)
        let topic = uniqueTopic("select")
        let values = (0..<10).map { "p0-\($0)" }
        let records = "[" + values.map { #"{"value":"\#($0)","partition":0}"# }.joined(separator: ",")
            + #",{"value":"p1-0","partition":1},{"value":"p1-1","partition":1}]"#
        let positions = try kafka.produce(topic: topic, records: records)
        #expect(positions.prefix(10).map(\.offset) == Array(0..<10))

        let limited = try kafka.consume(topic: topic, #","partition":0,"max_records":4,"timeout_ms":10000"#)
        #expect(limited.objects("records").compactMap { $0.string("value") } == Array(values.prefix(4)))
        #expect(limited.bool("end_of_partitions") == false)
        #expect(limited.bool("truncated") == false)
        #expect(nextOffsets(limited) == [0: 4])

        let fromOffset = try kafka.consume(topic: topic, #","partition":0,"from":6,"timeout_ms":10000"#)
        #expect(fromOffset.objects("records").compactMap { $0.string("value") } == Array(values.suffix(4)))
        #expect(fromOffset.objects("records").compactMap { $0.int("offset") } == [6, 7, 8, 9])
        #expect(nextOffsets(fromOffset) == [0: 10])

        let onePartition = try kafka.consume(topic: topic, #","partition":1,"timeout_ms":10000"#)
        #expect(onePartition.objects("records").compactMap { $0.string("value") } == ["p1-0", "p1-1"])
        #expect(onePartition.objects("records").allSatisfy { $0.int("partition") == 1 })

        // An offset past the end is clamped to the end: nothing, at once.
        let pastEnd = try kafka.consume(topic: topic, #","partition":1,"from":1000,"timeout_ms":10000"#)
        #expect(pastEnd.int("count") == 0)
        #expect(nextOffsets(pastEnd) == [1: 2])
    }

    @Test(arguments: BrokerEngine.allCases) func nextOffsetsAndTheOffsetsActionAgreeWithWhatWasProduced(engine: BrokerEngine) throws {
        let kafka = try KafkaEndToEnd.shared(engine)
        let topic = uniqueTopic("offsets")
        var produced: [Int: Int] = [:]
        for batch in 0..<3 {
            let records = "[" + (0..<(batch + 3)).map { #"{"key":"k\#($0)","value":"v\#(batch)-\#($0)"}"# }.joined(separator: ",") + "]"
            for position in try kafka.produce(topic: topic, records: records) {
                produced[position.partition, default: 0] += 1
            }
        }
        let stored = try kafka.storedCounts(topic: topic)
        #expect(stored.filter { $0.value > 0 } == produced)
        let storedTotal = stored.values.reduce(0, +)
        #expect(storedTotal == produced.values.reduce(0, +))
        #expect(storedTotal == 12)

        let all = try kafka.consume(topic: topic, #","timeout_ms":10000"#)
        #expect(all.int("count") == 12)
        let offsets = try kafka.succeed(#"{"action":"offsets","topic":"\#(topic)"}"#).objects("partitions")
        let latest = Dictionary(uniqueKeysWithValues: offsets.compactMap { entry in
            entry.int("partition").flatMap { partition in entry.int("latest").map { (partition, $0) } }
        })
        #expect(nextOffsets(all) == latest)

        // From the end: nothing, and the next offsets are the ends.
        let fromEnd = try kafka.consume(topic: topic, #","from":"end","timeout_ms":10000"#)
        #expect(fromEnd.int("count") == 0)
        #expect(nextOffsets(fromEnd) == latest)
    }
}

/// A consumed record's headers as `[key, value]` pairs, in order.
func headerPairs(_ record: [String: Any]) -> [[String]] {
    record.objects("headers").map { [$0.string("key") ?? "?", $0.string("value") ?? "?"] }
}

/// A consume answer's `next_offsets`, by partition.
func nextOffsets(_ answer: [String: Any]) -> [Int: Int] {
    var offsets: [Int: Int] = [:]
    for entry in answer.objects("next_offsets") {
        if let partition = entry.int("partition"), let offset = entry.int("offset") { offsets[partition] = offset }
    }
    return offsets
}
