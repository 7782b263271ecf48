/// One Kafka record as the sink stores it.
public struct SinkRecord: Sendable {
    /// The value's column: `value_json` (`jsonb`) when the value is a JSON document PostgreSQL accepts,
    /// `value_bytes` (`bytea`) otherwise, neither for a tombstone.
    public enum Value: Sendable, Equatable {
        /// UTF-8 JSON text, without NUL characters (jsonb refuses `\u0000`).
        case json([UInt8])
        case bytes([UInt8])
        case tombstone
    }

    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var key: [UInt8]?
    public var value: Value
    /// The headers as a JSON array (already valid jsonb text).
    public var headersJSON: [UInt8]
    /// Milliseconds since the epoch; nil when the record has none.
    public var timestampMilliseconds: Int64?
    /// `CREATE_TIME` or `LOG_APPEND_TIME`.
    public var timestampType: String?

    public init(
        topic: String, partition: Int32, offset: Int64, key: [UInt8]?, value: Value, headersJSON: [UInt8],
        timestampMilliseconds: Int64?, timestampType: String?
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.headersJSON = headersJSON
        self.timestampMilliseconds = timestampMilliseconds
        self.timestampType = timestampType
    }
}

/// What one batch did.
public struct WriteSummary: Sendable, Equatable {
    /// Rows inserted or updated.
    public var written = 0
    /// Records already stored (redelivery) or older than the stored row for their key.
    public var skipped = 0
    /// Rows removed by tombstones (upsert mode).
    public var deleted = 0
    /// The tables written, in first-seen order.
    public var tables: [String] = []

    public init() {}
}

/// A row read back for the HTTP API.
public struct SinkRow: Sendable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var key: [UInt8]?
    /// The `jsonb` value as PostgreSQL prints it, when the value was JSON.
    public var valueJSON: String?
    public var valueBytes: [UInt8]?
    public var headersJSON: String
    public var timestampMilliseconds: Int64?
    public var timestampType: String?
}
