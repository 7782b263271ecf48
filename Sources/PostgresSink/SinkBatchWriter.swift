/// One batch, written while its records are still being read (`PostgresSink.write(_:)`).
///
/// The first table's rows go to the server as they arrive, with `COPY` straight into the table
/// inside a savepoint, so PostgreSQL stores rows while later ones are still being decoded. That is
/// right only when no row of the batch is stored yet: when one is (a redelivery, an update; SQLSTATE
/// 23505) the savepoint is rolled back and the rows are copied into the staging table and moved with
/// one `INSERT ... ON CONFLICT` (`StagingTable`). Insert mode copies again the bytes it sent; upsert
/// mode holds the records, and gives up the direct copy at once for a tombstone or a key seen twice
/// (the last record per key must be chosen first). Rows of other tables are written at the end.
/// Everything is one transaction; a failure, or a batch whose reading fails, rolls it back.
public final class SinkBatchWriter {
    private static let savepoint = "lambda_kafka_sink_direct"
    private struct KeyIdentity: Hashable {
        var topic: String
        var key: [UInt8]
    }

    private let sink: PostgresSink
    private let mode: SinkSettings.Mode
    private var count = 0
    /// A record of a topic the sink does not write: reported before any other problem.
    private var topicFailure: SinkError?
    /// Upsert mode: a record without a key, reported next.
    private var keyFailure: SinkError?
    private var failure: SinkError?
    private var connection: PostgresConnection?
    private var transactionOpen = false
    private var stagingUsed = false
    private var started = false
    /// The direct copy of the first table's rows, while it is still worth going on with.
    private var stream: CopyStream?
    /// Upsert mode: the keys the direct copy has, so a second record of one ends it.
    private var directKeys = Set<KeyIdentity>()
    /// Every record in upsert mode; those of other tables than the stream's in insert mode.
    private var held: [(table: TableName, records: [SinkRecord])] = []
    private var tables: [TableName] = []
    /// Tables checked or created inside the transaction: known good once it commits.
    private var preparedInTransaction: [TableName] = []
    private var lastTopic: (name: String, table: TableName)?
    /// The batch ended (finished or cancelled): later records are ignored.
    private var isClosed = false

    init(sink: PostgresSink) {
        self.sink = sink
        mode = sink.settings.mode
    }

    /// Takes the batch's next record. Problems are kept for `finish`; after one, records are only
    /// checked. Only the producer given to `PostgresSink.write(_:)` calls it, while it runs.
    public func append(_ record: SinkRecord) {
        guard !isClosed else { return }
        count += 1
        guard let table = table(for: record), topicFailure == nil else { return }
        if mode == .upsert, record.key == nil, keyFailure == nil {
            keyFailure = SinkError(
                .invalidRecord,
                "Record \(record.topic)-\(record.partition)@\(record.offset) has no key; upsert mode stores records by key (use SINK_MODE=insert for keyless topics)")
            abandon()
        }
        guard keyFailure == nil, failure == nil else { return }
        if mode == .upsert { hold(record, in: table) }
        do throws(SinkError) {
            if !started {
                started = true
                stream = try startStream(table)
            }
            guard stream?.table == table else {
                if mode == .insert { hold(record, in: table) }
                return
            }
            if mode == .upsert,
               record.value == .tombstone || !directKeys.insert(KeyIdentity(topic: record.topic, key: record.key ?? [])).inserted {
                try endDirectCopy()
                return
            }
            try stream?.append(record)
        } catch {
            fail(error)
        }
    }

    private func hold(_ record: SinkRecord, in table: TableName) {
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
        let mode = mode
        let started = try sink.withConnection { connection throws(SinkError) -> CopyStream in
            try sink.prepare(table, on: connection)
            try sink.begin(on: connection)
            do throws(SinkError) {
                return try Self.startDirectCopy(table, on: connection, keepingSent: mode == .insert)
            } catch {
                if connection.isUsable { _ = try? connection.execute("ROLLBACK") }
                throw error
            }
        }
        connection = started.connection
        transactionOpen = true
        return started
    }

    private static func startDirectCopy(
        _ table: TableName, on connection: PostgresConnection, keepingSent: Bool
    ) throws(SinkError) -> CopyStream {
        _ = try connection.execute("SAVEPOINT \(savepoint)")
        // Insert mode copies the same bytes into the staging table when the direct copy meets a stored row.
        return try CopyStream(
            StagingTable.directCopyStatement(into: table), table: table, on: connection, keepingSent: keepingSent)
    }

    /// Upsert mode: cancels the direct copy; its table's held records go through the staging table.
    private func endDirectCopy() throws(SinkError) {
        guard var copy = stream else { return }
        stream = nil
        copy.cancel()
        _ = try copy.connection.execute("ROLLBACK TO SAVEPOINT \(Self.savepoint)")
    }

    /// Ends the batch: the rest of the rows written and the transaction committed.
    /// - Throws: the first problem (a topic the sink does not write, then a record upsert mode
    ///   cannot store, then the database's); nothing is then stored.
    func finish() throws(SinkError) -> WriteSummary {
        isClosed = true
        if let problem = topicFailure ?? keyFailure ?? failure {
            abandon()
            throw problem
        }
        var summary = WriteSummary()
        guard count > 0 else { return summary }
        var groups = held
        held = []
        do {
            if mode == .upsert {
                for (index, group) in groups.enumerated() {
                    let latest = try PostgresSink.latestPerKey(group.records)
                    summary.skipped += group.records.count - latest.count
                    groups[index].records = latest
                }
            }
            summary.tables = tables.map(\.description)
            try finishWrites(groups, into: &summary)
        } catch {
            fail(error)
            throw PostgresSink.explained(error)
        }
        return summary
    }

    private func finishWrites(_ groups: [(table: TableName, records: [SinkRecord])], into summary: inout WriteSummary) throws(SinkError) {
        guard let connection else { return }
        var directTable: TableName?
        if var first = stream {
            stream = nil
            if try finishDirectCopy(&first) {
                summary.written += first.rows
                directTable = first.table
            } else if mode == .insert {
                try insertStaged(first.sent, rows: first.rows, into: first.table, into: &summary)
            }
        }
        for group in groups where group.table != directTable {
            if group.table != tables.first {
                try sink.prepare(group.table, on: connection, inTransaction: true)
                preparedInTransaction.append(group.table)
            }
            switch mode {
            case .insert:
                stream = try Self.startDirectCopy(group.table, on: connection, keepingSent: true)
                for record in group.records { try stream?.append(record) }
                guard var copy = stream else { continue }
                stream = nil
                if try finishDirectCopy(&copy) {
                    summary.written += copy.rows
                } else {
                    try insertStaged(copy.sent, rows: copy.rows, into: group.table, into: &summary)
                }
            case .upsert:
                try upsertStaged(group.records, into: group.table, into: &summary)
            }
        }
        _ = try connection.execute("COMMIT")
        transactionOpen = false
        sink.preparedTables.formUnion(preparedInTransaction)
    }

    /// Ends a direct copy: true when its rows are in; false (savepoint rolled back) when one was stored already.
    private func finishDirectCopy(_ copy: inout CopyStream) throws(SinkError) -> Bool {
        do {
            try copy.finish()
            sink.afterDirectCopy?(copy.connection.backendProcessID)
            _ = try copy.connection.execute("RELEASE SAVEPOINT \(Self.savepoint)")
            return true
        } catch where error.sqlState == "23505" {
            _ = try copy.connection.execute("ROLLBACK TO SAVEPOINT \(Self.savepoint)")
            return false
        }
    }

    private func prepareStaging(on connection: PostgresConnection) throws(SinkError) {
        if stagingUsed { _ = try connection.execute(StagingTable.truncateStatement) }
        stagingUsed = true
    }

    /// Insert mode: the rows sent to the direct copy, copied again into the staging table and moved from there.
    private func insertStaged(_ chunks: [[UInt8]], rows: Int, into table: TableName, into summary: inout WriteSummary) throws(SinkError) {
        guard let connection else { return }
        try prepareStaging(on: connection)
        try connection.copy(chunks, with: StagingTable.copyStatement)
        sink.afterCopyBeforeInsert?(connection.backendProcessID)
        let result = try connection.execute(StagingTable.insertStatement(into: table))
        summary.written += result.affected
        summary.skipped += rows - result.affected
    }

    /// Upsert mode: the last record per key, copied into the staging table and moved from there.
    private func upsertStaged(_ records: [SinkRecord], into table: TableName, into summary: inout WriteSummary) throws(SinkError) {
        guard let connection else { return }
        try prepareStaging(on: connection)
        stream = try CopyStream(StagingTable.copyStatement, table: table, on: connection)
        for record in records { try stream?.append(record) }
        guard var copy = stream else { return }
        stream = nil
        try copy.finish()
        sink.afterCopyBeforeInsert?(connection.backendProcessID)
        let hasTombstones = records.contains { $0.value == .tombstone }
        let result = try connection.execute(StagingTable.upsertStatement(into: table, hasTombstones: hasTombstones))
        let written = result.rows.first?[0].flatMap { Int($0) } ?? 0
        let deleted = result.rows.first?[1].flatMap { Int($0) } ?? 0
        summary.written += written
        summary.deleted += deleted
        summary.skipped += records.count - written - deleted
    }

    private func fail(_ error: SinkError) {
        failure = PostgresSink.explained(error)
        abandon()
    }

    /// The producer failed: nothing of the batch is written.
    func cancel() {
        isClosed = true
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
