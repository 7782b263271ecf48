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

/// The outcome of producing one record: acknowledged at a position, or failed; never both, never neither.
public struct DeliveryReport: Sendable {
    /// Where the broker wrote an acknowledged record (acks=all).
    public struct Acknowledgement: Sendable, Equatable {
        public var partition: Int32
        public var offset: Int64
        /// nil when the broker reported no timestamp.
        public var timestampMs: Int64?

        public init(partition: Int32, offset: Int64, timestampMs: Int64?) {
            self.partition = partition
            self.offset = offset
            self.timestampMs = timestampMs
        }
    }

    public enum Outcome: Sendable {
        case acknowledged(Acknowledgement)
        /// Not delivered, or (after a timeout in flight) possibly delivered but never acknowledged.
        /// Boxed: a report is then 40 bytes instead of 56, and a 50,000-record call holds 50,000.
        indirect case failed(KafkaError)
    }

    /// Position of the record in the `send` call's `records`.
    public var index: Int
    public var outcome: Outcome

    public init(index: Int, outcome: Outcome) {
        self.index = index
        self.outcome = outcome
    }

    public var acknowledgement: Acknowledgement? {
        if case let .acknowledged(acknowledgement) = outcome { acknowledgement } else { nil }
    }

    public var error: KafkaError? {
        if case let .failed(error) = outcome { error } else { nil }
    }

    public var isAcknowledged: Bool { acknowledgement != nil }
}
