import CLibPQ

/// One `COPY ... FROM STDIN (FORMAT binary)` in progress: rows are encoded as they come and sent in
/// pieces of `chunkBytes`, so the server works on the first rows while later ones are still being
/// read. The pieces sent can be kept (`sent`), so the same rows can be copied again elsewhere
/// (`PostgresConnection.copy(_:with:)`) without reading the batch a second time.
struct CopyStream {
    /// What one `PQputCopyData` call carries: small enough that the server starts early, large
    /// enough that the calls cost nothing next to the rows.
    static let chunkBytes = 64 * 1024

    let connection: PostgresConnection
    let table: TableName
    private var encoder: CopyEncoder
    /// The pieces sent, when kept (`keepingSent`).
    private(set) var sent: [[UInt8]] = []
    private let keepsSent: Bool
    private(set) var rows = 0
    /// The copy ended (sent in full and answered, or cancelled).
    private(set) var isEnded = false

    /// Starts the copy; the connection takes no other command until `finish` or `cancel`.
    init(_ statement: String, table: TableName, on connection: PostgresConnection, keepingSent: Bool = false) throws(SinkError) {
        try connection.startCopy(statement)
        self.connection = connection
        self.table = table
        keepsSent = keepingSent
        encoder = CopyEncoder(reservingCapacity: Self.chunkBytes + 16 * 1024)
        encoder.appendRaw(CopyEncoder.header)
    }

    /// - Throws: `.invalidRecord` when the record cannot be encoded; a send failure.
    mutating func append(_ record: SinkRecord) throws(SinkError) {
        try encoder.append(record)
        rows += 1
        if encoder.bytes.count >= Self.chunkBytes { try send(encoder.take()) }
    }

    /// Sends the rest and ends the copy; the server's answer (its error when it refused a row) is thrown.
    mutating func finish() throws(SinkError) {
        isEnded = true
        encoder.appendRaw(CopyEncoder.trailer)
        do {
            try send(encoder.take())
        } catch {
            connection.cancelCopy()
            throw error
        }
        try connection.endCopy()
    }

    /// Ends the copy unfinished: the server refuses the whole statement.
    mutating func cancel() {
        guard !isEnded else { return }
        isEnded = true
        connection.cancelCopy()
    }

    private mutating func send(_ bytes: [UInt8]) throws(SinkError) {
        try connection.sendCopyData(bytes)
        if keepsSent { sent.append(bytes) }
    }
}

extension PostgresConnection {
    /// Copies rows already encoded (`CopyStream.sent`) with `statement`.
    func copy(_ chunks: [[UInt8]], with statement: String) throws(SinkError) {
        try startCopy(statement)
        do {
            for chunk in chunks { try sendCopyData(chunk) }
        } catch {
            cancelCopy()
            throw error
        }
        try endCopy()
    }

    func startCopy(_ statement: String) throws(SinkError) {
        guard let started = PQexec(handle, statement) else {
            throw failure(sqlState: nil, message: Self.trimmed(PQerrorMessage(handle)))
        }
        guard PQresultStatus(started) == PGRES_COPY_IN else {
            let error = failure(of: started)
            PQclear(started)
            drainResults()
            throw error
        }
        PQclear(started)
    }

    /// Sends `bytes` in messages of at most `CopyStream.chunkBytes`: libpq holds a whole message in
    /// its buffer, so one huge row (a 6 MB event can hold a 17 MB header column) is not copied whole.
    func sendCopyData(_ bytes: [UInt8]) throws(SinkError) {
        let accepted = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { text in
                var start = 0
                while start < text.count {
                    let count = min(CopyStream.chunkBytes, text.count - start)
                    guard PQputCopyData(handle, text.baseAddress.map { $0 + start }, Int32(count)) == 1 else { return false }
                    start += count
                }
                return true
            }
        }
        guard accepted else {
            throw failure(sqlState: nil, message: Self.trimmed(PQerrorMessage(handle)))
        }
    }

    /// Ends the copy: its result is thrown when it failed. Cancelling makes the server refuse it.
    func endCopy() throws(SinkError) {
        guard PQputCopyEnd(handle, nil) == 1 else {
            let error = failure(sqlState: nil, message: Self.trimmed(PQerrorMessage(handle)))
            drainResults()
            throw error
        }
        try finishCommand()
    }

    func cancelCopy() {
        _ = PQputCopyEnd(handle, "the sink cancelled the copy")
        drainResults()
    }

    /// Reads every result of the command that just ended; the first failure is thrown.
    private func finishCommand() throws(SinkError) {
        var firstError: SinkError?
        while let result = PQgetResult(handle) {
            let status = PQresultStatus(result)
            if status != PGRES_COMMAND_OK, firstError == nil { firstError = failure(of: result) }
            PQclear(result)
            // A connection that broke mid-copy answers COPY_IN again rather than ending: stop there.
            if status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH { break }
        }
        if let firstError { throw firstError }
    }

    /// Discards the results of a command that failed, so the connection takes the next one.
    private func drainResults() {
        while let result = PQgetResult(handle) {
            let status = PQresultStatus(result)
            PQclear(result)
            if status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH { break }
        }
    }
}
