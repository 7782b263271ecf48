/// One batch, written while its records are still being read (`PostgresSink.write(_:)`).
///
/// Insert mode: the first table's rows go to the server as they arrive, with `COPY` straight into
/// the table inside a savepoint, so PostgreSQL stores rows while later ones are still being
/// decoded. When a row is already stored (a redelivery, SQLSTATE 23505) the savepoint is rolled
/// back and the same rows, kept as sent, are copied into the staging table and moved with `INSERT
/// ... ON CONFLICT DO NOTHING`. Rows of other tables are held and written the same way at the end.
/// Upsert mode holds every row: the last one per key must be known before any is written.
/// Everything is one transaction; any failure, or a batch whose reading fails, rolls it back.
public final class SinkBatchWriter {
    private static let savepoint = "lambda_kafka_sink_direct"

    private let sink: PostgresSink
    private var count = 0
    /// A record of a topic the sink does not write: reported before any other sink failure.
    private var topicFailure: SinkError?
    private var failure: SinkError?
    private var connection: PostgresConnection?
    private var transactionOpen = false
    private var stagingUsed = false
    /// Insert mode: the copy the first table's rows stream into.
    private var stream: CopyStream?
    private var held: [(table: TableName, records: [SinkRecord])] = []
    private var tables: [TableName] = []
    /// Tables checked or created inside the transaction: known good once it commits.
    private var preparedInTransaction: [TableName] = []
    private var lastTopic: (name: String, table: TableName)?

    init(sink: PostgresSink) {
        self.sink = sink
    }

    /// Takes the batch's next record. Problems are kept for `finish`; after one, records are only checked.
    public func append(_ record: SinkRecord) {
        count += 1
        guard let table = table(for: record), topicFailure == nil, failure == nil else { return }
        if sink.settings.mode == .insert {
            do throws(SinkError) {
                if stream == nil, held.isEmpty { stream = try startStream(table) }
                if stream?.table == table {
                    try stream?.append(record)
                    return
                }
            } catch {
                fail(error)
                return
            }
        }
        if let index = held.firstIndex(where: { $0.table == table }) {
            held[index].records.append(record)
        } else {
            held.append((table, [record]))
        }
    }

    /// The table for the record's topic (the last topic's is remembered); nil when the sink does not write it.
    private func table(for record: SinkRecord) -> TableName? {
        if let lastTopic, lastTopic.name == record.topic { return lastTopic.table }
        guard sink.settings.topics.contains(record.topic) else {
            if topicFailure == nil {
                topicFailure = SinkError(
                    .topicNotConfigured,
                    "Record \(record.topic)-\(record.partition)@\(record.offset): the sink writes only the topics in SINK_TOPICS (\(sink.settings.topics)); add the topic there")
                abandon()
            }
            return nil
        }
        let table = sink.table(for: record.topic)
        if !tables.contains(table) { tables.append(table) }
        lastTopic = (record.topic, table)
        return table
    }

    /// Connects (or reuses the connection), checks the table, opens the transaction and starts the copy.
    private func startStream(_ table: TableName) throws(SinkError) -> CopyStream {
        let sink = sink
        let started = try sink.withConnection { connection throws(SinkError) -> CopyStream in
            try sink.prepare(table, on: connection)
            try sink.begin(on: connection)
            do throws(SinkError) {
                return try Self.startDirectCopy(table, on: connection)
            } catch {
                if connection.isUsable { _ = try? connection.execute("ROLLBACK") }
                throw error
            }
        }
        connection = started.connection
        transactionOpen = true
        return started
    }

    private static func startDirectCopy(_ table: TableName, on connection: PostgresConnection) throws(SinkError) -> CopyStream {
        _ = try connection.execute("SAVEPOINT \(savepoint)")
        return try CopyStream(StagingTable.directCopyStatement(into: table), table: table, on: connection)
    }

    /// Ends the batch: the rest of the rows written and the transaction committed.
    /// - Throws: the first problem (a topic the sink does not write before any other); nothing is then stored.
    func finish() throws(SinkError) -> WriteSummary {
        if let problem = topicFailure ?? failure {
            abandon()
            throw problem
        }
        var summary = WriteSummary()
        guard count > 0 else { return summary }
        summary.tables = tables.map(\.description)
        switch sink.settings.mode {
        case .insert:
            do {
                try finishInserts(into: &summary)
            } catch {
                fail(error)
                throw PostgresSink.explained(error)
            }
        case .upsert:
            let groups = held
            held = []
            let outcome = try sink.upsert(groups)
            summary.written = outcome.written
            summary.deleted = outcome.deleted
            summary.skipped = outcome.skipped
        }
        return summary
    }

    private func finishInserts(into summary: inout WriteSummary) throws(SinkError) {
        guard var first = stream, let connection else { return }
        stream = nil
        try insert(&first, into: &summary)
        let groups = held
        held = []
        for group in groups {
            try sink.prepare(group.table, on: connection, inTransaction: true)
            preparedInTransaction.append(group.table)
            stream = try Self.startDirectCopy(group.table, on: connection)
            for record in group.records { try stream?.append(record) }
            guard var copy = stream else { return }
            stream = nil
            try insert(&copy, into: &summary)
        }
        _ = try connection.execute("COMMIT")
        transactionOpen = false
        sink.preparedTables.formUnion(preparedInTransaction)
    }

    /// Ends a direct copy; when a row was already stored, writes the rows through the staging table instead.
    private func insert(_ copy: inout CopyStream, into summary: inout WriteSummary) throws(SinkError) {
        let connection = copy.connection
        do {
            try copy.finish()
            sink.afterDirectCopy?(connection.backendProcessID)
            _ = try connection.execute("RELEASE SAVEPOINT \(Self.savepoint)")
            summary.written += copy.rows
        } catch where error.sqlState == "23505" {
            _ = try connection.execute("ROLLBACK TO SAVEPOINT \(Self.savepoint)")
            if stagingUsed { _ = try connection.execute(StagingTable.truncateStatement) }
            try connection.copy(copy.sent, with: StagingTable.copyStatement)
            stagingUsed = true
            sink.afterCopyBeforeInsert?(connection.backendProcessID)
            let result = try connection.execute(StagingTable.insertStatement(into: copy.table))
            summary.written += result.affected
            summary.skipped += copy.rows - result.affected
        }
    }

    private func fail(_ error: SinkError) {
        failure = error
        abandon()
    }

    /// Cancels what is under way and rolls the transaction back; held rows are let go.
    func abandon() {
        stream?.cancel()
        stream = nil
        held = []
        guard let connection else { return }
        if transactionOpen, connection.isUsable { _ = try? connection.execute("ROLLBACK") }
        transactionOpen = false
        if !connection.isUsable { sink.dropConnection() }
        if failure?.sqlState == "42P01" { sink.preparedTables = [] }
    }
}
