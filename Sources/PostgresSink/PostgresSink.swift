import AWSSigV4
import Synchronization
import Encoding

/// Writes Kafka records into PostgreSQL tables and reads them back.
///
/// Connects on first use (never at start), keeps the connection for later invocations, and opens a
/// new one when it broke. Each batch is one transaction (`SinkBatchWriter`): in insert mode `COPY`
/// straight into the table, falling back to the staging table when a row is already stored; in upsert
/// mode, per table, `COPY` into the connection's staging table (`StagingTable`), then one `INSERT ...
/// SELECT ... ON CONFLICT` into the sink's table. A failed or interrupted batch leaves nothing behind. Concurrent runtime loops share one
/// sink: its operations take turns on the one connection.
public final class PostgresSink: @unchecked Sendable {
    /// Guards `connection`, `preparedTables`, `hasStagingTable` and `cachedToken`: every public operation holds it.
    private let turn = Mutex(())
    /// A token is used only to log in; a new one is made for a new connection after this many seconds.
    static let tokenReuseSeconds: Int64 = 600

    public let settings: SinkSettings
    public let target: ConnectionTarget
    let tokens: RDSAuthTokenGenerator?
    let passwords: (any SinkPasswordSource)?
    let clock: any AWSClock
    let setsConnectTimeout: Bool
    var connection: PostgresConnection?
    var preparedTables: Set<TableName> = []
    /// The connection's staging table exists (it lives as long as the connection).
    var hasStagingTable = false
    var cachedToken: RDSAuthToken?
    /// Test seam: runs between a batch's `COPY` and its `INSERT`, with the server process's id
    /// (a test ends that process there to break the connection mid-transaction). Never set in a product.
    var afterCopyBeforeInsert: (@Sendable (_ backendProcessID: Int32) -> Void)?
    /// Test seam: runs after an insert-mode batch's `COPY` straight into its table, before the commit.
    var afterDirectCopy: (@Sendable (_ backendProcessID: Int32) -> Void)?

    /// Checks the connection string; connects nothing yet.
    /// - Parameter tokens: required with `.iam` authentication.
    /// - Parameter passwords: required with `.secretsManager` authentication.
    public init(
        settings: SinkSettings, tokens: RDSAuthTokenGenerator? = nil, passwords: (any SinkPasswordSource)? = nil,
        clock: some AWSClock = SystemClock()
    ) throws(ConnectionTargetError) {
        target = try ConnectionTarget.parse(settings.connection)
        if case .iam = settings.authentication {
            guard tokens != nil else { throw ConnectionTargetError(reason: "IAM authentication needs AWS credentials") }
            guard !target.user.isEmpty, !target.host.isEmpty, !target.host.hasPrefix("/") else {
                throw ConnectionTargetError(reason: "IAM authentication needs the database user and a host name in the URI")
            }
            guard !target.hasPassword else {
                throw ConnectionTargetError(reason: "IAM authentication makes its own password; remove the password from the URI")
            }
        }
        if case .secretsManager = settings.authentication {
            guard passwords != nil else { throw ConnectionTargetError(reason: "a password secret needs a way to read it") }
            guard !target.hasPassword else {
                throw ConnectionTargetError(reason: "the password comes from the secret; remove the password from the URI")
            }
        }
        if case let .success(options) = ConnectionOptions.parse(settings.connection) {
            setsConnectTimeout = options.values["connect_timeout"] == nil
        } else {
            setsConnectTimeout = true
        }
        self.settings = settings
        self.tokens = tokens
        self.passwords = passwords
        self.clock = clock
    }

    /// The table a topic's records go to.
    public func table(for topic: String) -> TableName {
        settings.table ?? TableName.forTopic(topic)
    }

    /// Writes one batch whose records `produce` hands to the writer one at a time, as it reads them:
    /// in insert mode the server stores the first rows while later ones are still being read. Insert
    /// mode skips records already stored; upsert mode keeps the latest record per key and deletes on
    /// tombstones.
    /// - Throws: `.records` with what `produce` threw (the batch is then abandoned), or `.sink`; when it
    ///   throws, the batch left no rows behind.
    public func write<Failure: Error>(
        _ produce: (SinkBatchWriter) throws(Failure) -> Void
    ) throws(SinkBatchFailure<Failure>) -> WriteSummary {
        try turn.withLock { _ throws(SinkBatchFailure<Failure>) in
            let writer = SinkBatchWriter(sink: self)
            do throws(Failure) {
                try produce(writer)
            } catch {
                writer.cancel()
                throw .records(error)
            }
            do throws(SinkError) {
                return try writer.finish()
            } catch {
                throw .sink(error)
            }
        }
    }

    /// Writes one batch already in memory (see `write(_:)` with a producer).
    public func write(_ records: [SinkRecord]) throws(SinkError) -> WriteSummary {
        do {
            return try write { (writer: SinkBatchWriter) throws(Never) in
                for record in records { writer.append(record) }
            }
        } catch {
            switch error {
            case let .sink(failure): throw failure
            }
        }
    }

    /// What a read of a topic the sink does not serve, or has not written yet, answers: the same for
    /// both, and for every name, so it tells nothing about which tables exist.
    public static let noRowsMessage = "No rows are stored for this topic"

    /// Rows of one topic in offset order (then partition), after `afterOffset`, at most `limit`.
    /// - Throws: `SinkError` `.tableNotFound` when the topic is not one of `settings.topics` (no query
    ///   is made) or nothing was ever written for it.
    public func rows(topic: String, key: [UInt8]?, afterOffset: Int64, limit: Int) throws(SinkError) -> [SinkRow] {
        guard settings.topics.contains(topic) else { throw SinkError(.tableNotFound, Self.noRowsMessage) }
        return try turn.withLock { _ throws(SinkError) in try rowsHoldingTurn(topic: topic, key: key, afterOffset: afterOffset, limit: limit) }
    }

    private func rowsHoldingTurn(topic: String, key: [UInt8]?, afterOffset: Int64, limit: Int) throws(SinkError) -> [SinkRow] {
        let table = table(for: topic)
        let sql = """
            SELECT "partition", "offset", encode(key, 'hex'), value_json::text, encode(value_bytes, 'hex'), headers::text,
                   (extract(epoch FROM "timestamp") * 1000)::bigint, timestamp_type
              FROM \(table.quoted)
             WHERE topic = $1 AND ($2::bytea IS NULL OR key = $2::bytea) AND "offset" > $3::bigint
             ORDER BY "offset", "partition"
             LIMIT $4::integer
            """
        let parameters: [PostgresConnection.Parameter] = [
            .text(topic), key.map { .binary($0) } ?? .null, .text(String(afterOffset)), .text(String(limit)),
        ]
        let result: QueryRows
        do {
            result = try withConnection { connection throws(SinkError) in try connection.execute(sql, parameters) }
        } catch where error.sqlState == "42P01" {
            throw SinkError(.tableNotFound, Self.noRowsMessage)
        }
        return result.rows.compactMap { row in
            guard let partitionText = row[0], let partition = Int32(partitionText),
                  let offsetText = row[1], let offset = Int64(offsetText) else { return nil }
            return SinkRow(
                topic: topic, partition: partition, offset: offset,
                key: row[2].flatMap { Hex.decode($0) }, valueJSON: row[3], valueBytes: row[4].flatMap { Hex.decode($0) },
                headersJSON: row[5] ?? "[]", timestampMilliseconds: row[6].flatMap { Int64($0) }, timestampType: row[7])
        }
    }

    /// Closes the connection (the next use opens a new one).
    public func disconnect() {
        turn.withLock { _ in dropConnection() }
    }

    func dropConnection() {
        connection = nil
        preparedTables = []
        hasStagingTable = false
    }

    // MARK: - Batches

    /// The last record of each key (a later offset of the same partition, or a later record from another
    /// partition); a record without a key cannot be stored by key.
    static func latestPerKey(_ records: [SinkRecord]) throws(SinkError) -> [SinkRecord] {
        struct Identity: Hashable { var topic: String; var key: [UInt8] }
        var latest: [SinkRecord] = []
        var index: [Identity: Int] = [:]
        for record in records {
            guard let key = record.key else {
                throw SinkError(
                    .invalidRecord,
                    "Record \(record.topic)-\(record.partition)@\(record.offset) has no key; upsert mode stores records by key (use SINK_MODE=insert for keyless topics)")
            }
            let identity = Identity(topic: record.topic, key: key)
            if let existing = index[identity] {
                let stored = latest[existing]
                if stored.partition != record.partition || stored.offset < record.offset { latest[existing] = record }
            } else {
                index[identity] = latest.count
                latest.append(record)
            }
        }
        return latest
    }

    /// Creates the connection's staging table when it has none yet, and opens the batch's transaction.
    func begin(on connection: PostgresConnection) throws(SinkError) {
        if !hasStagingTable {
            _ = try connection.execute(StagingTable.createStatement)
            hasStagingTable = true
        }
        _ = try connection.execute("BEGIN")
    }

    static func explained(_ error: SinkError) -> SinkError {
        guard error.kind == .writeFailed else { return error }
        switch error.sqlState {
        case "42P10":
            return SinkError(
                .tableMismatch, "The table's primary key does not match the sink mode: \(error.message)", sqlState: error.sqlState)
        case "22P02", "22021", "22P05", "22008":
            return SinkError(.invalidRecord, "PostgreSQL refused a value: \(error.message)", sqlState: error.sqlState)
        default:
            return error
        }
    }

    // MARK: - Tables

    /// Creates the table when it is missing; checks its columns and key when it exists. Inside a
    /// transaction the creation has a savepoint of its own (a race lost to another instance must not
    /// abort the batch), and the caller marks the table prepared once the transaction commits.
    func prepare(_ table: TableName, on connection: PostgresConnection, inTransaction: Bool = false) throws(SinkError) {
        guard !preparedTables.contains(table) else { return }
        var description = try connection.execute(TableSchema.describeStatement, [.text(table.quoted)])
        if description.rows.isEmpty {
            do {
                if inTransaction { _ = try connection.execute("SAVEPOINT lambda_kafka_sink_create") }
                _ = try connection.execute(TableSchema.createStatement(table, mode: settings.mode))
                if settings.mode == .insert { _ = try connection.execute(TableSchema.keyIndexStatement(table)) }
                if inTransaction { _ = try connection.execute("RELEASE SAVEPOINT lambda_kafka_sink_create") }
            } catch where error.sqlState == "23505" || error.sqlState == "42P07" {
                // Another instance created it at the same moment: check what it made.
                if inTransaction { _ = try connection.execute("ROLLBACK TO SAVEPOINT lambda_kafka_sink_create") }
            }
            description = try connection.execute(TableSchema.describeStatement, [.text(table.quoted)])
        }
        if let problem = TableSchema.mismatch(description.rows, mode: settings.mode) {
            throw SinkError(
                .tableMismatch,
                "Table \(table) exists but the sink cannot write it in \(settings.mode.rawValue) mode: \(problem). Drop or rename it, or set SINK_TABLE to another table")
        }
        if !inTransaction { preparedTables.insert(table) }
    }
}
