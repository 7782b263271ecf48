import Foundation
import TestSupport
import Testing

/// Consumer groups and the 6 MB response cap, through the real bootstrap: a group reads each
/// record once, in order, and commits nothing past what it returned.
@Suite(.offCooperativePool, .serialized, .kafkaEndToEnd) struct ConsumerGroupEndToEndTests {
    /// Lambda's limit on a synchronous response.
    static let responseLimit = 6_291_556

    @Test(arguments: BrokerEngine.allCases) func oneGroupReadsEachRecordOnceAnotherGroupStartsAgain(engine: BrokerEngine) throws {
        let kafka = try KafkaEndToEnd.shared(engine)
        let topic = uniqueTopic("group")
        let group = uniqueTopic("readers")
        let records = "[" + (0..<11).map { #"{"key":"k\#($0)","value":"v\#($0)","partition":\#($0 % 2)}"# }.joined(separator: ",") + "]"
        let produced = try kafka.produce(topic: topic, records: records)
        let groupOptions = #","group_id":"\#(group)","max_records":4,"timeout_ms":10000"#

        var seen: [LogPosition] = []
        var calls = 0
        var committed: [Int: Int] = [:]
        while seen.count < produced.count && calls < 6 {
            let answer = try kafka.consume(topic: topic, groupOptions)
            calls += 1
            let batch = answer.objects("records").compactMap(LogPosition.init)
            #expect(batch.count == min(4, produced.count - seen.count))
            #expect(answer.string("group_id") == group)
            // Per partition, each call starts exactly where the group stopped and reads consecutively.
            for (partition, positions) in Dictionary(grouping: batch, by: \.partition) {
                let offsets = positions.map(\.offset)
                #expect(offsets.first == committed[partition] ?? 0, "partition \(partition) restarted at \(offsets)")
                #expect(offsets == Array((offsets.first ?? 0)..<((offsets.first ?? 0) + offsets.count)))
                committed[partition] = (offsets.last ?? 0) + 1
            }
            seen += batch
        }
        #expect(seen.count == produced.count, "no record lost")
        #expect(Set(seen) == Set(produced), "no record returned twice or invented")

        let drained = try kafka.consume(topic: topic, groupOptions)
        #expect(drained.int("count") == 0)
        #expect(drained.bool("end_of_partitions") == true)

        // A new group starts from the beginning.
        let other = try kafka.consume(topic: topic, #","group_id":"\#(uniqueTopic("others"))","timeout_ms":10000"#)
        #expect(Set(other.objects("records").compactMap(LogPosition.init)) == Set(produced))

        // Records produced between calls are what the group reads next.
        let later = try kafka.produce(topic: topic, records: #"[{"value":"late-1"},{"value":"late-2"},{"value":"late-3"}]"#)
        let next = try kafka.consume(topic: topic, #","group_id":"\#(group)","timeout_ms":10000"#)
        #expect(Set(next.objects("records").compactMap(LogPosition.init)) == Set(later))
        #expect(Set(next.objects("records").compactMap { $0.string("value") }) == ["late-1", "late-2", "late-3"])
    }

    @Test(arguments: BrokerEngine.allCases) func theCommittedPositionSurvivesANewExecutionEnvironment(engine: BrokerEngine) throws {
        let kafka = try KafkaEndToEnd.shared(engine)
        let topic = uniqueTopic("group-restart")
        let group = uniqueTopic("restarted")
        let produced = try kafka.produce(
            topic: topic, records: "[" + (0..<6).map { #"{"value":"r\#($0)","partition":0}"# }.joined(separator: ",") + "]")
        let first = try kafka.consume(topic: topic, #","group_id":"\#(group)","max_records":2,"timeout_ms":10000"#)
        #expect(first.objects("records").compactMap(LogPosition.init) == Array(produced.prefix(2)))

        // A second bootstrap process (a cold start elsewhere) continues from the group's commit.
        let fresh = try EmulatorHarness(environment: ["KAFKA_ENDPOINT": kafka.broker.bootstrapServers], timeoutSeconds: 60)
        defer { fresh.stop() }
        let result = try fresh.invoke(#"{"action":"consume","topic":"\#(topic)","group_id":"\#(group)","timeout_ms":10000}"#)
        try #require(result.functionError == nil, "\(result.text)")
        #expect(try result.jsonObject().objects("records").compactMap(LogPosition.init) == Array(produced.dropFirst(2)))
    }

    @Test(arguments: BrokerEngine.allCases) func aConsumeOverSixMegabytesIsTruncatedAndTheGroupContinuesExactlyAfterIt(engine: BrokerEngine) throws {
        let kafka = try KafkaEndToEnd.shared(engine)
        let topic = uniqueTopic("large")
        let group = uniqueTopic("large-readers")
        // 10 distinct binary values of 600 KB (800 KB once base64 encoded in the answer), 8 MB in
        // all, on two partitions: the mock broker keeps at most 5 MB per partition.
        var values: [LogPosition: Data] = [:]
        for batch in 0..<5 {
            let pair = (0..<2).map { index in Self.pseudoRandomBytes(count: 600 * 1024, seed: UInt64(batch * 2 + index + 1)) }
            let records = "[" + pair.enumerated().map { index, value in
                #"{"value":"\#(value.base64EncodedString())","encoding":"base64","partition":\#(index)}"#
            }.joined(separator: ",") + "]"
            for (position, value) in zip(try kafka.produce(topic: topic, records: records), pair) {
                values[position] = value
            }
        }
        #expect(values.count == 10)
        #expect(try kafka.storedCounts(topic: topic).filter { $0.value > 0 } == [0: 5, 1: 5])

        let options = #","group_id":"\#(group)","timeout_ms":20000"#
        let firstResult = try kafka.invoke(#"{"action":"consume","topic":"\#(topic)"\#(options)}"#)
        try #require(firstResult.functionError == nil, "\(firstResult.text.prefix(500))")
        #expect(firstResult.body.count < Self.responseLimit)
        let first = try firstResult.jsonObject()
        #expect(first.bool("truncated") == true)
        #expect(first.bool("end_of_partitions") == false)
        let firstRecords = first.objects("records")
        #expect(firstRecords.count > 0 && firstRecords.count < 10)

        let second = try kafka.consume(topic: topic, options)
        #expect(second.bool("truncated") == false)
        #expect(second.bool("end_of_partitions") == true)
        let secondRecords = second.objects("records")

        // Per partition: the first call returned a prefix, the second exactly the rest.
        for partition in [0, 1] {
            let before = firstRecords.filter { $0.int("partition") == partition }.compactMap { $0.int("offset") }
            let after = secondRecords.filter { $0.int("partition") == partition }.compactMap { $0.int("offset") }
            #expect(before == Array(0..<before.count), "partition \(partition) first call: \(before)")
            #expect(after == Array(before.count..<5), "partition \(partition) continues exactly after \(before)")
            #expect(nextOffsets(first)[partition] == before.count)
        }
        for record in firstRecords + secondRecords {
            let position = try #require(LogPosition(record))
            #expect(record.string("encoding") == "base64")
            #expect(record.string("value").flatMap { Data(base64Encoded: $0) } == values[position], "value at \(position)")
        }
        #expect(firstRecords.count + secondRecords.count == 10)
    }

    /// Reproducible bytes that are not UTF-8 (xorshift), so the answer carries them as base64.
    static func pseudoRandomBytes(count: Int, seed: UInt64) -> Data {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        var bytes = [UInt8](repeating: 0, count: count)
        for index in bytes.indices {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            bytes[index] = UInt8(truncatingIfNeeded: state)
        }
        bytes[0] = 0xFF
        return Data(bytes)
    }
}
