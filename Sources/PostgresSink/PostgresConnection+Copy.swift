import CLibPQ

extension PostgresConnection {
    /// What one `PQputCopyData` call carries at most: the batch is encoded and sent in pieces of this
    /// size, so the encoded copy of a batch is never in memory whole.
    static let copyChunkBytes = 1 << 20

    /// Runs `COPY ... FROM STDIN (FORMAT binary)` with `records` as its rows.
    /// - Throws: `SinkError`; the server's error when it refused a row, `.invalidRecord` when a record
    ///   cannot be encoded (the copy is then cancelled, so the transaction holds none of it).
    func copy(_ records: [SinkRecord], with statement: String) throws(SinkError) {
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
        var encoder = CopyEncoder(reservingCapacity: Self.copyChunkBytes + 64 * 1024)
        encoder.appendRaw(CopyEncoder.header)
        do {
            for record in records {
                try encoder.append(record)
                if encoder.bytes.count >= Self.copyChunkBytes { try send(encoder.take()) }
            }
            encoder.appendRaw(CopyEncoder.trailer)
            try send(encoder.take())
        } catch {
            _ = PQputCopyEnd(handle, "the sink cancelled the copy")
            drainResults()
            throw error
        }
        guard PQputCopyEnd(handle, nil) == 1 else {
            let error = failure(sqlState: nil, message: Self.trimmed(PQerrorMessage(handle)))
            drainResults()
            throw error
        }
        try finishCommand()
    }

    private func send(_ bytes: [UInt8]) throws(SinkError) {
        let sent = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { PQputCopyData(handle, $0.baseAddress, Int32(buffer.count)) }
        }
        guard sent == 1 else {
            throw failure(sqlState: nil, message: Self.trimmed(PQerrorMessage(handle)))
        }
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
