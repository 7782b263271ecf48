@testable import FunctionCore
import JSON
import Kafka
import Testing

/// The answers written straight into their buffers (`ByteCursor`) are byte for byte what the
/// general writer makes of the same answer as a tree.
@Suite struct AnswerRenderingTests {
    /// Integers at every digit-count boundary the two-digit table passes.
    private static let integers: [Int64] = [
        0, 1, 9, 10, 11, 99, 100, 101, 999, 1_000, 9_999, 10_000, 65_535, 99_999, 100_000, 1_234_567,
        9_999_999_999, 10_000_000_000, Int64(Int32.max), Int64.max,
    ]

    @Test func aProduceAnswerListsEachPositionAsTheTreeWouldSerialise() throws {
        let reports = Self.integers.enumerated().map { index, offset in
            DeliveryReport(index: index, outcome: .acknowledged(.init(
                partition: Int32(truncatingIfNeeded: offset % 7), offset: offset, timestampMs: nil)))
        } + [DeliveryReport(index: 99_999, outcome: .acknowledged(.init(partition: Int32.max, offset: -1, timestampMs: nil)))]
        for topicOutcome in [TopicProvisioner.Outcome.existed, .created, .leftToBrokerAutoCreation] {
            let outcome = ProduceAction.Outcome(
                topic: "t\"ö", topicOutcome: topicOutcome, recordCount: reports.count, reports: reports,
                elapsed: .milliseconds(12), deliveredBytes: 0)
            let answer = try ProduceResult.render(outcome, perPartition: false)
            var members: [(key: String, value: JSONValue)] = [
                ("action", .string("produce")), ("topic", .string("t\"ö")),
                ("topic_created", .bool(topicOutcome.createdTopic)),
            ]
            if case .leftToBrokerAutoCreation = topicOutcome {
                members.append(("topic_creation", .string("broker auto-create (this cluster does not support CreateTopics)")))
            }
            members.append(("records", .array(reports.map { report in
                .object([("index", .integer(report.index)),
                         ("partition", .integer(Int(report.acknowledgement?.partition ?? 0))),
                         ("offset", .number(String(report.acknowledgement?.offset ?? 0)))])
            })))
            members += [("count", .integer(reports.count)), ("delivered", .integer(reports.count)),
                        ("failed", .integer(0)), ("elapsed_ms", .integer(12))]
            #expect(String(decoding: answer, as: UTF8.self) == String(decoding: JSONWriter.serialize(.object(members)), as: UTF8.self))
        }
    }

    @Test func aConsumedRecordsFixedMembersAreWrittenAsTheWriterWould() {
        for (index, offset) in Self.integers.enumerated() {
            let timestamp: Int64? = index % 3 == 0 ? nil : (index % 3 == 1 ? offset : -offset - 1)
            var rendered = JSONWriter()
            "k".utf8.withContiguousStorageIfAvailable { key in
                let view = ConsumedRecordView(
                    partition: Int32(truncatingIfNeeded: offset), offset: offset, timestampMs: timestamp,
                    key: index.isMultiple(of: 2) ? UnsafeRawBufferPointer(key) : nil, value: nil)
                RecordRenderer.render(view, into: &rendered)
            }
            var expected = JSONWriter()
            expected.appendASCII("{\"partition\":")
            expected.writeInteger(Int32(truncatingIfNeeded: offset))
            expected.appendASCII(",\"offset\":")
            expected.writeInteger(offset)
            if let timestamp {
                expected.appendASCII(",\"timestamp\":")
                expected.writeInteger(timestamp)
            }
            expected.appendASCII(index.isMultiple(of: 2) ? ",\"key\":\"k\",\"value\":null}" : ",\"key\":null,\"value\":null}")
            #expect(String(decoding: rendered.bytes, as: UTF8.self) == String(decoding: expected.bytes, as: UTF8.self))
        }
    }

    /// Plain text takes the one-buffer way; anything else the general one: the value reads the same.
    @Test(arguments: [
        ("abc", #""abc""#), ("", #""""#), ("12abc", #""12abc""#), (#"{"a":1}"#, #"{"a":1}"#), ("17", "17"),
        (" 5", " 5"), (#"a"b"#, #""a\"b""#), ("tab\there", #""tab\there""#), ("café", #""café""#),
        ("null", #""null""#), ("del\u{7F}", #""del\u007f""#),
    ])
    func aConsumedValueIsWrittenAsItsKindAsks(_ value: String, _ expected: String) {
        var rendered = JSONWriter()
        Array(value.utf8).withUnsafeBytes { value in
            let view = ConsumedRecordView(partition: 1, offset: 2, timestampMs: 3, key: nil, value: value)
            RecordRenderer.render(view, into: &rendered)
        }
        #expect(String(decoding: rendered.bytes, as: UTF8.self)
            == #"{"partition":1,"offset":2,"timestamp":3,"key":null,"value":"# + expected + "}")
    }
}
