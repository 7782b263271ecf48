@testable import PostgresSink
import Synchronization
import TestSupport
import Testing

/// The COPY path against a real PostgreSQL: a batch's connection is ended for real (its server
/// process terminated) between the `COPY` into the staging table and the `INSERT` from it.
@Suite(.offCooperativePool, .serialized, .enabled(if: LocalPostgres.shouldRun, "PostgreSQL is not installed (CI requires it)"))
final class CopyPathCrashTests {
    let postgres: LocalPostgres

    init() throws {
        postgres = try LocalPostgres()
    }

    deinit {
        postgres.stop()
    }

    static func batch(_ topic: String, count: Int) -> [SinkRecord] {
        var records: [SinkRecord] = []
        for index in 0..<count {
            let value: SinkRecord.Value = index % 7 == 0
                ? .bytes([0xDE, 0xAD, UInt8(index % 256)]) : .json(Array("{\"n\":\(index)}".utf8))
            let headers: [UInt8] = Array(#"[{"key":"h","value":"v"}]"#.utf8)
            let timestamp: Int64 = 1_795_262_400_000 + Int64(index)
            records.append(SinkRecord(
                topic: topic, partition: Int32(index % 3), offset: Int64(index), key: Array("key-\(index)".utf8),
                value: value, headersJSON: headers, timestampMilliseconds: timestamp, timestampType: "CREATE_TIME"))
        }
        return records
    }

    /// Fires its action the first time only.
    final class Once: Sendable {
        private let fired = Mutex(false)
        func run(_ action: () -> Void) {
            let first = fired.withLock { fired in
                defer { fired = true }
                return !fired
            }
            if first { action() }
        }
    }

    /// A batch is copied into the staging table when some of its rows are already stored (a
    /// redelivery overlapping an earlier one, or updated keys): the first quarter is stored first.
    @Test(arguments: [SinkSettings.Mode.insert, .upsert])
    func aCrashBetweenCopyAndInsertLeavesNothingAndRedeliveryWritesEachRowOnce(mode: SinkSettings.Mode) throws {
        let sink = try PostgresSink(settings: SinkSettings(connection: postgres.url, topics: try #require(SinkTopics("crash-*")), mode: mode))
        let topic = "crash-\(mode.rawValue)"
        let table = "crash_\(mode.rawValue)"
        let records = Self.batch(topic, count: 2_000)
        let stored = 500
        #expect(try sink.write(Array(records.prefix(stored))).written == stored)
        let termination = Termination(postgres)
        sink.afterCopyBeforeInsert = termination.hook
        try expectInterruptedWrite(sink, records, termination, leaves: stored, in: table)

        let redelivered = try sink.write(records)
        #expect(redelivered.written == records.count - stored)
        #expect(redelivered.skipped == stored)
        try Self.expectEachRowOnce(postgres, table)

        let again = try sink.write(records)
        #expect(again.written == 0)
        #expect(again.skipped == records.count)
        #expect(try postgres.query("SELECT count(*) FROM \(table)") == "2000")
    }

    /// A batch of rows not stored yet is copied straight into the table: a crash after that copy,
    /// before the commit, leaves nothing, and the redelivery writes each row once.
    @Test(arguments: [SinkSettings.Mode.insert, .upsert])
    func aCrashAfterTheDirectCopyLeavesNothingAndRedeliveryWritesEachRowOnce(mode: SinkSettings.Mode) throws {
        let sink = try PostgresSink(settings: SinkSettings(connection: postgres.url, topics: try #require(SinkTopics("crash-*")), mode: mode))
        let table = "crash_direct_\(mode.rawValue)"
        let records = Self.batch("crash-direct-\(mode.rawValue)", count: 2_000)
        let termination = Termination(postgres)
        sink.afterDirectCopy = termination.hook
        try expectInterruptedWrite(sink, records, termination, leaves: 0, in: table)

        let redelivered = try sink.write(records)
        #expect(redelivered.written == records.count)
        try Self.expectEachRowOnce(postgres, table)

        let again = try sink.write(records)
        #expect(again.written == 0)
        #expect(again.skipped == records.count)
        #expect(try postgres.query("SELECT count(*) FROM \(table)") == "2000")
    }

    /// Writes `records` while `termination`, set as one of the sink's hooks, ends the connection:
    /// the write fails as the database being unavailable and `table` holds the `rows` it held before.
    func expectInterruptedWrite(
        _ sink: PostgresSink, _ records: [SinkRecord], _ termination: Termination, leaves rows: Int, in table: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        do {
            let summary = try sink.write(records)
            Issue.record("the batch was written although its connection was ended mid-transaction: \(summary)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.kind == .databaseUnavailable, "\(error)", sourceLocation: sourceLocation)
        }
        #expect(termination.answer == "t", "the hook did not end the connection", sourceLocation: sourceLocation)
        #expect(try postgres.query("SELECT count(*) FROM \(table)") == "\(rows)", "the interrupted batch left rows behind",
                sourceLocation: sourceLocation)
    }

    /// A hook that ends the batch's server process the first time it runs; `answer` says whether it did.
    final class Termination: Sendable {
        private let once = Once()
        private let answered = Mutex<String?>(nil)
        private let postgres: LocalPostgres

        init(_ postgres: LocalPostgres) {
            self.postgres = postgres
        }

        var answer: String? { answered.withLock { $0 } }

        func hook(_ backend: Int32) {
            once.run {
                // Waits (up to 10 s) until the server process has exited.
                let answer = try? postgres.query("SELECT pg_terminate_backend(\(backend), 10000)")
                answered.withLock { $0 = answer }
            }
        }
    }

    static func expectEachRowOnce(_ postgres: LocalPostgres, _ table: String) throws {
        #expect(try postgres.query("SELECT count(*), count(DISTINCT (\"partition\", \"offset\")) FROM \(table)") == "2000|2000")
        #expect(try postgres.query("SELECT value_json->>'n', encode(key, 'escape') FROM \(table) WHERE \"offset\" = 1") == "1|key-1")
        #expect(try postgres.query("SELECT encode(value_bytes, 'hex') FROM \(table) WHERE \"offset\" = 7") == "dead07")
    }
}
