/// One record to produce.
public struct OutgoingRecord: Sendable {
    public var key: [UInt8]?
    /// nil produces a null value (a tombstone on compacted topics).
    public var value: [UInt8]?
    public var headers: [(String, [UInt8])]
    /// nil lets the partitioner choose (by key hash, or spread when there is no key).
    public var partition: Int32?

    public init(key: [UInt8]? = nil, value: [UInt8]?, headers: [(String, [UInt8])] = [], partition: Int32? = nil) {
        self.key = key
        self.value = value
        self.headers = headers
        self.partition = partition
    }
}

/// The outcome of producing one record.
public struct DeliveryReport: Sendable {
    /// Position of the record in the `send` call's `records`.
    public var index: Int
    /// -1 when the record never got a partition.
    public var partition: Int32
    /// -1 when not acknowledged.
    public var offset: Int64
    public var timestampMs: Int64?
    /// nil: the broker acknowledged the record (acks=all). Otherwise it was not delivered, or may not have been.
    public var error: KafkaError?

    public init(index: Int, partition: Int32, offset: Int64, timestampMs: Int64?, error: KafkaError?) {
        self.index = index
        self.partition = partition
        self.offset = offset
        self.timestampMs = timestampMs
        self.error = error
    }

    public var isAcknowledged: Bool { error == nil }
}
