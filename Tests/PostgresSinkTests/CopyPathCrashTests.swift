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

    @Test(arguments: [SinkSettings.Mode.insert, .upsert])
    func aCrashBetweenCopyAndInsertLeavesNothingAndRedeliveryWritesEachRowOnce(mode: SinkSettings.Mode) throws {
        let sink = try PostgresSink(settings: SinkSettings(connection: postgres.url, topics: try #require(SinkTopics("crash-*")), mode: mode))
        let topic = "crash-\(mode.rawValue)"
        let table = "crash_\(mode.rawValue)"
        let records = Self.batch(topic, count: 2_000)
        let once = Once()
        let postgres = postgres
        let terminated = Mutex<String?>(nil)
        sink.afterCopyBeforeInsert = { backend in
            once.run {
                // Waits (up to 10 s) until the server process has exited.
                let answer = try? postgres.query("SELECT pg_terminate_backend(\(backend), 10000)")
                terminated.withLock { $0 = answer }
            }
        }
        do {
            let summary = try sink.write(records)
            Issue.record("the batch was written although its connection was ended mid-transaction: \(summary)")
        } catch {
            #expect(error.kind == .databaseUnavailable, "\(error)")
        }
        #expect(terminated.withLock { $0 } == "t", "the hook did not end the connection")
        #expect(try postgres.query("SELECT count(*) FROM \(table)") == "0", "the interrupted batch left rows behind")

        let redelivered = try sink.write(records)
        #expect(redelivered.written == records.count)
        #expect(try postgres.query("SELECT count(*), count(DISTINCT (\"partition\", \"offset\")) FROM \(table)") == "2000|2000")
        #expect(try postgres.query("SELECT value_json->>'n', encode(key, 'escape') FROM \(table) WHERE \"offset\" = 1") == "1|key-1")
        #expect(try postgres.query("SELECT encode(value_bytes, 'hex') FROM \(table) WHERE \"offset\" = 7") == "dead07")

        let again = try sink.write(records)
        #expect(again.written == 0)
        #expect(again.skipped == records.count)
        #expect(try postgres.query("SELECT count(*) FROM \(table)") == "2000")
    }
}
