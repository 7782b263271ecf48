import CLibPQ
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One libpq connection. It owns the `PGconn` and frees it in `deinit`; every query result is
/// freed before `execute` returns.
final class PostgresConnection {
    /// A statement parameter: text (PostgreSQL's input syntax for the parameter's type) or binary bytes.
    enum Parameter {
        case text(String)
        case textBytes([UInt8])
        case binary([UInt8])
        case null
    }

    let handle: OpaquePointer

    /// Why a connection could not be opened.
    struct ConnectFailure: Error {
        var error: SinkError
        /// The server asked for a password (it may have refused it): a password read from a secret
        /// is worth reading again.
        var serverAskedForPassword: Bool
    }

    /// Connects with libpq keywords; `dbname` may hold a connection URI that the later keywords override.
    /// - Parameter secrets: texts that must not appear in the error (the password, the connection
    ///   string); libpq's reason is checked for each before it is used.
    /// - Throws: `ConnectFailure` with `SinkError.databaseUnavailable` and libpq's reason, secrets removed.
    init(keywords: [(String, String)], describedAs target: String, secrets: [String]) throws(ConnectFailure) {
        let connection: OpaquePointer? = withCStrings(keywords.map(\.0)) { names in
            withCStrings(keywords.map(\.1)) { values in
                PQconnectdbParams(names, values, 1)
            }
        }
        guard let connection else {
            throw ConnectFailure(
                error: SinkError(.databaseUnavailable, "Cannot connect to \(target): libpq is out of memory"),
                serverAskedForPassword: false)
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let reason = SecretRedaction.redacting(secrets, in: Self.trimmed(PQerrorMessage(connection)))
            let askedForPassword = PQconnectionUsedPassword(connection) == 1
            PQfinish(connection)
            throw ConnectFailure(
                error: SinkError(.databaseUnavailable, "Cannot connect to \(target): \(reason)"),
                serverAskedForPassword: askedForPassword)
        }
        handle = connection
    }

    deinit {
        PQfinish(handle)
    }

    /// False once the server closed the connection or a network error broke it.
    var isUsable: Bool { PQstatus(handle) == CONNECTION_OK }

    /// The server process serving this connection (tests end it to break the connection for real).
    var backendProcessID: Int32 { PQbackendPID(handle) }

    /// Runs one statement with parameters (one round trip) and returns its rows as text.
    func execute(_ sql: String, _ parameters: [Parameter] = []) throws(SinkError) -> QueryRows {
        var buffers: [UnsafeMutablePointer<CChar>?] = []
        var lengths: [Int32] = []
        var formats: [Int32] = []
        buffers.reserveCapacity(parameters.count)
        defer { buffers.forEach { free($0) } }
        for parameter in parameters {
            switch parameter {
            case let .text(text):
                guard let copy = strdup(text) else {
                    throw SinkError(.writeFailed, "Out of memory for a statement parameter")
                }
                buffers.append(copy)
                lengths.append(0)
                formats.append(0)
            case let .textBytes(bytes), let .binary(bytes):
                // A missing buffer would go out as SQL NULL: fail the statement instead.
                guard let buffer = malloc(bytes.count + 1)?.assumingMemoryBound(to: CChar.self) else {
                    throw SinkError(.writeFailed, "Out of memory for a \(bytes.count)-byte statement parameter")
                }
                bytes.withUnsafeBytes { source in
                    if let base = source.baseAddress { memcpy(buffer, base, bytes.count) }
                }
                buffer[bytes.count] = 0
                buffers.append(buffer)
                lengths.append(Int32(clamping: bytes.count))
                if case .binary = parameter { formats.append(1) } else { formats.append(0) }
            case .null:
                buffers.append(nil)
                lengths.append(0)
                formats.append(0)
            }
        }
        let result: OpaquePointer? = buffers.withUnsafeBufferPointer { values in
            values.withMemoryRebound(to: UnsafePointer<CChar>?.self) { constValues in
                PQexecParams(handle, sql, Int32(parameters.count), nil, constValues.baseAddress, lengths, formats, 0)
            }
        }
        guard let result else {
            throw failure(sqlState: nil, message: Self.trimmed(PQerrorMessage(handle)))
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK:
            return QueryRows(result, commandTuples: String(cString: PQcmdTuples(result)))
        default:
            throw failure(of: result)
        }
    }

    /// The error a failed result carries, with its SQLSTATE.
    func failure(of result: OpaquePointer) -> SinkError {
        let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
        let message = PQresultErrorField(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) }
            ?? Self.trimmed(PQresultErrorMessage(result))
        return failure(sqlState: state, message: message)
    }

    func failure(sqlState: String?, message: String) -> SinkError {
        if !isUsable || sqlState.map(Self.meansUnavailable) == true {
            return SinkError(.databaseUnavailable, "The database connection failed: \(message)", sqlState: sqlState)
        }
        return SinkError(.writeFailed, message + (sqlState.map { " (SQLSTATE \($0))" } ?? ""), sqlState: sqlState)
    }

    /// Connection exceptions, shutdown, too many connections, recovery in progress, serialization retries.
    private static func meansUnavailable(_ state: String) -> Bool {
        state.hasPrefix("08") || state.hasPrefix("57P") || state == "53300" || state == "40001" || state == "40P01"
    }

    static func trimmed(_ text: UnsafePointer<CChar>?) -> String {
        guard let text else { return "unknown error" }
        let message = String(cString: text)
        var end = message.endIndex
        while end > message.startIndex, message[message.index(before: end)].isWhitespace {
            end = message.index(before: end)
        }
        return String(message[..<end])
    }
}

/// The rows of one result, copied out of libpq as text (`nil` for SQL NULL).
struct QueryRows {
    var rows: [[String?]]
    /// `PQcmdTuples`: rows inserted, updated or deleted.
    var affected: Int

    fileprivate init(_ result: OpaquePointer, commandTuples: String) {
        let rowCount = PQntuples(result)
        let columnCount = PQnfields(result)
        var rows: [[String?]] = []
        rows.reserveCapacity(Int(rowCount))
        for row in 0..<rowCount {
            var values: [String?] = []
            values.reserveCapacity(Int(columnCount))
            for column in 0..<columnCount {
                if PQgetisnull(result, row, column) == 1 {
                    values.append(nil)
                } else {
                    values.append(String(cString: PQgetvalue(result, row, column)))
                }
            }
            rows.append(values)
        }
        self.rows = rows
        self.affected = Int(commandTuples) ?? 0
    }
}

/// Reads the parts of a connection string or URI libpq understands, without connecting.
struct ConnectionOptions {
    var values: [String: String]

    /// - Returns: nil with libpq's reason when the text is not a valid connection string.
    static func parse(_ text: String) -> Result<ConnectionOptions, ParseFailure> {
        var error: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(text, &error) else {
            let reason = error.map { String(cString: $0) } ?? "libpq is out of memory"
            if let error { PQfreemem(error) }
            return .failure(ParseFailure(reason: reason.trimmingTrailingNewlines()))
        }
        defer { PQconninfoFree(options) }
        var values: [String: String] = [:]
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val {
                values[String(cString: keyword)] = String(cString: value)
            }
            option += 1
        }
        return .success(ConnectionOptions(values: values))
    }

    struct ParseFailure: Error {
        var reason: String
    }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var text = self
        while text.last == "\n" { text.removeLast() }
        return text
    }
}

private func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { pointers.forEach { free($0) } }
    return pointers.withUnsafeBufferPointer { buffer in
        buffer.withMemoryRebound(to: UnsafePointer<CChar>?.self) { body($0.baseAddress) }
    }
}
