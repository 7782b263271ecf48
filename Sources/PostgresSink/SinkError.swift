/// Why the sink could not write or read. `errorType` is stable and in the `Function.Reason` form the
/// runtime requires; messages name the table, host and user but never a password or token.
public struct SinkError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The database cannot be reached, refused the login, or dropped the connection: retry later.
        case databaseUnavailable = "Function.DatabaseUnavailable"
        /// The table exists with columns or a key the sink cannot write.
        case tableMismatch = "Function.TableMismatch"
        /// A record the chosen mode cannot store (upsert needs a key).
        case invalidRecord = "Function.InvalidRecord"
        /// The database rejected the statement.
        case writeFailed = "Function.DatabaseError"
        /// Nothing was written for the topic yet, or the sink does not serve it (reads).
        case tableNotFound = "Function.TableNotFound"
        /// A batch holds a topic outside the sink's topics (`SINK_TOPICS`).
        case topicNotConfigured = "Function.InvalidConfiguration"
        /// The IAM token could not be made (no credentials, expired credentials).
        case authenticationFailed = "Function.DatabaseAuthFailed"
    }

    public var kind: Kind
    public var message: String
    /// The SQLSTATE PostgreSQL answered with, when it answered.
    public var sqlState: String?

    public init(_ kind: Kind, _ message: String, sqlState: String? = nil) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
    }

    public var errorType: String { kind.rawValue }

    public var description: String { "\(errorType): \(message)" }
}

/// Why a batch written from a producer (`PostgresSink.write(_:)`) failed: the producer's own error
/// (reading the batch), or the sink's.
public enum SinkBatchFailure<Failure: Error>: Error {
    case records(Failure)
    case sink(SinkError)
}
