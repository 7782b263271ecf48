/// Where reading starts when no committed group offset says otherwise.
public enum StartPosition: Sendable, Equatable {
    case beginning
    case end
    /// Clamped to the partition's stored range (earliest...high watermark).
    case offset(Int64)
    /// This offset or an `OFFSET_OUT_OF_RANGE` error when it is outside the stored range
    /// (earliest...high watermark; at the high watermark nothing is read), as a Kafka fetch answers.
    case exactly(Int64)
}

public struct ConsumedRecord: Sendable {
    public var partition: Int32
    public var offset: Int64
    public var timestampMs: Int64?
    public var key: [UInt8]?
    public var value: [UInt8]?
    /// A null header value is returned as empty bytes.
    public var headers: [(String, [UInt8])]

    public init(partition: Int32, offset: Int64, timestampMs: Int64?, key: [UInt8]?, value: [UInt8]?, headers: [(String, [UInt8])]) {
        self.partition = partition
        self.offset = offset
        self.timestampMs = timestampMs
        self.key = key
        self.value = value
        self.headers = headers
    }
}

public struct ConsumeRequest: Sendable {
    public var topic: String
    /// nil: every partition of the topic.
    public var partition: Int32?
    public var start: StartPosition
    /// nil: no group, nothing committed. Otherwise reading starts at the group's committed offsets
    /// (`start` applies to partitions without one) and the offsets of returned records are committed.
    public var groupID: String?
    public var maxRecords: Int
    public var deadline: ContinuousClock.Instant
    /// Only these partitions (with `partition` nil); nil: every partition of the topic.
    public var partitions: Set<Int32>?
    /// Where given partitions start, before any committed offset or `start`; clamped like `start`.
    public var positions: [Int32: Int64] = [:]

    public init(
        topic: String, partition: Int32? = nil, start: StartPosition = .beginning, groupID: String? = nil,
        maxRecords: Int, deadline: ContinuousClock.Instant
    ) {
        self.topic = topic
        self.partition = partition
        self.start = start
        self.groupID = groupID
        self.maxRecords = maxRecords
        self.deadline = deadline
    }
}

public struct ConsumeResult: Sendable {
    /// The records taken (`KafkaConsumer.consume`); empty from `consumeInPlace`, which keeps none.
    public var records: [ConsumedRecord]
    /// Every assigned partition was read to its end.
    public var reachedEnd: Bool
    /// Per assigned partition: offset of the next record not returned.
    public var nextOffsets: [Int32: Int64]
    /// `accept` returned false.
    public var stoppedEarly: Bool

    public init(records: [ConsumedRecord], reachedEnd: Bool, nextOffsets: [Int32: Int64], stoppedEarly: Bool) {
        self.records = records
        self.reachedEnd = reachedEnd
        self.nextOffsets = nextOffsets
        self.stoppedEarly = stoppedEarly
    }
}
