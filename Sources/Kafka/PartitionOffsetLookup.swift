import CRdKafka

/// Which offset of one partition a client asks for (Kafka's ListOffsets).
public enum OffsetQuery: Sendable, Equatable {
    /// The oldest record still stored (ListOffsets timestamp -2).
    case earliest
    /// The high watermark: the offset the next produced record gets (ListOffsets timestamp -1).
    case latest
    /// The first record whose timestamp is at or after this time (ms since the epoch); the high
    /// watermark when no stored record is that recent.
    case time(milliseconds: Int64)
}

extension KafkaAdmin {
    /// One offset of one partition; throws unknown-topic or unknown-partition errors for a
    /// topic or partition that does not exist.
    public func offset(topic: String, partition: Int32, query: OffsetQuery, deadline: ContinuousClock.Instant) throws(KafkaError) -> Int64 {
        try withClient { (client) throws(KafkaError) -> Int64 in
            guard let metadata = try client.metadata(topic: topic, deadline: deadline).first(where: { $0.name == topic }) else {
                throw KafkaError(code: RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, message: "topic '\(topic)' does not exist")
            }
            guard metadata.partitions.contains(partition) else {
                throw KafkaError(code: RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION, message: "topic '\(topic)' has no partition \(partition)")
            }
            let watermarks = { () throws(KafkaError) -> PartitionOffsets in
                guard let marks = try client.watermarks(topic: topic, partitions: [partition], deadline: deadline).first else {
                    throw KafkaError(code: RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION, message: "no offsets for \(topic)/\(partition)")
                }
                return marks
            }
            switch query {
            case .earliest: return try watermarks().earliest
            case .latest: return try watermarks().latest
            case let .time(milliseconds):
                if let offset = try client.offsetForTime(topic: topic, partition: partition, milliseconds: milliseconds, deadline: deadline) {
                    return offset
                }
                return try watermarks().latest
            }
        }
    }
}

extension NativeClient {
    /// The earliest offset whose timestamp is at or after `milliseconds`; nil when there is none.
    func offsetForTime(topic: String, partition: Int32, milliseconds: Int64, deadline: ContinuousClock.Instant) throws(KafkaError) -> Int64? {
        let list = TopicPartitionList(topic: topic, offsets: [partition: milliseconds])
        let code = list.withUnsafePointer { rd_kafka_offsets_for_times(handle, $0, deadline.remainingMilliseconds()) }
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(code: code, message: "offsets for times of \(topic)/\(partition): \(String(cString: rd_kafka_err2str(code)))")
        }
        if let error = list.firstError { throw error }
        guard let offset = list.offsets[partition], offset >= 0 else { return nil }
        return offset
    }
}
