@testable import PostgresSink
import TestSupport
import Testing

/// The batch writer's paths against a real PostgreSQL: COPY straight into the table, the staging
/// table when rows are already stored, tables after the first, and a batch whose reading fails.
@Suite(.offCooperativePool, .serialized, .enabled(if: LocalPostgres.shouldRun, "PostgreSQL is not installed (CI requires it)"))
final class SinkBatchWriterTests {
    struct ReadingFailed: Error {}

    let postgres: LocalPostgres

    init() throws {
        postgres = try LocalPostgres()
    }

    deinit {
        postgres.stop()
    }

    private func sink(_ mode: SinkSettings.Mode) throws -> PostgresSink {
        try PostgresSink(settings: SinkSettings(connection: postgres.url, topics: try #require(SinkTopics("w-*")), mode: mode))
    }

    private static func record(_ topic: String, _ offset: Int64, key: String? = nil, value: String? = "{}") -> SinkRecord {
        SinkRecord(
            topic: topic, partition: 0, offset: offset, key: Array((key ?? "k\(offset)").utf8),
            value: value.map { .json(Array($0.utf8)) } ?? .tombstone, headersJSON: Array("[]".utf8),
            timestampMilliseconds: 1_795_262_400_000, timestampType: "CREATE_TIME")
    }

    @Test func aBatchWhoseReadingFailsLeavesNothingAndTheNextBatchIsWritten() throws {
        let sink = try sink(.insert)
        do {
            _ = try sink.write { (writer: SinkBatchWriter) throws(ReadingFailed) in
                for offset in 0..<500 { writer.append(Self.record("w-fail", Int64(offset))) }
                throw ReadingFailed()
            }
            Issue.record("the failed reading was not reported")
        } catch {
            guard case .records = error else {
                Issue.record("expected the reading's error, got \(error)")
                return
            }
        }
        #expect(try postgres.query("SELECT count(*) FROM w_fail") == "0")
        let summary = try sink.write((0..<500).map { Self.record("w-fail", Int64($0)) })
        #expect(summary.written == 500)
        #expect(try postgres.query("SELECT count(*) FROM w_fail") == "500")
    }

    @Test func tablesAfterTheFirstAreWrittenInTheSameTransactionEitherWay() throws {
        let sink = try sink(.insert)
        // The second table has some of the batch's rows already: it goes through the staging table.
        _ = try sink.write([Self.record("w-second", 1)])
        let batch = (0..<4).flatMap { [Self.record("w-first", Int64($0)), Self.record("w-second", Int64($0))] }
        let summary = try sink.write(batch)
        #expect(summary.tables == ["w_first", "w_second"])
        #expect(summary.written == 7)
        #expect(summary.skipped == 1)
        #expect(try postgres.query("SELECT (SELECT count(*) FROM w_first) || ',' || (SELECT count(*) FROM w_second)") == "4,4")
        // A third table, created inside the batch's transaction.
        let again = try sink.write(batch + [Self.record("w-third", 0)])
        #expect(again.written == 1)
        #expect(again.skipped == 8)
        #expect(try postgres.query("SELECT count(*) FROM w_third") == "1")
    }

    @Test func upsertGivesUpTheDirectCopyForARepeatedKeyOrATombstone() throws {
        let sink = try sink(.upsert)
        // Fresh keys: straight into the table.
        let fresh = try sink.write([Self.record("w-up", 0, key: "a"), Self.record("w-up", 1, key: "b")])
        #expect(fresh.written == 2)
        // A key twice in one batch: the later record wins.
        let repeated = try sink.write([
            Self.record("w-up", 2, key: "c", value: #"{"v":1}"#), Self.record("w-up", 3, key: "c", value: #"{"v":2}"#),
        ])
        #expect(repeated.written == 1)
        #expect(repeated.skipped == 1)
        #expect(try postgres.query("SELECT value_json->>'v' FROM w_up WHERE key = 'c'") == "2")
        // A tombstone deletes the stored row.
        let deleted = try sink.write([Self.record("w-up", 4, key: "d"), Self.record("w-up", 5, key: "a", value: nil)])
        #expect(deleted.written == 1)
        #expect(deleted.deleted == 1)
        #expect(try postgres.query("SELECT string_agg(encode(key, 'escape'), ',' ORDER BY key) FROM w_up") == "b,c,d")
        // An update of a stored key: the direct copy meets it and the staging table takes over.
        let updated = try sink.write([Self.record("w-up", 6, key: "e"), Self.record("w-up", 7, key: "b", value: #"{"v":3}"#)])
        #expect(updated.written == 2)
        #expect(try postgres.query("SELECT value_json->>'v' FROM w_up WHERE key = 'b'") == "3")
    }
}
