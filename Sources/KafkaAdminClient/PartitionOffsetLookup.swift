import CRdKafka
import Kafka

/// Which offset of one partition a client asks for (Kafka's ListOffsets).
public enum OffsetQuery: Sendable, Equatable {
    /// The oldest record still stored (ListOffsets timestamp -2).
    case earliest
    /// The high watermark: the offset the next produced record gets (ListOffsets timestamp -1).
    case latest
    /// The first record whose timestamp is at or after this time (ms since the epoch); -1 when no
    /// stored record is that recent, as Kafka's ListOffsets (and APISIX's pub/sub) answers.
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
                // Kafka answers -1 when no record is that recent (filtered out by listOffsets).
                let found = try client.listOffsets(topic: topic, partitions: [partition], timestamp: milliseconds, deadline: deadline)[partition]
                guard found != milliseconds else {
                    // librdkafka 2.0.2 leaves the asked timestamp in place when the leader did not answer.
                    throw KafkaError.timedOut("offset of \(topic)/\(partition) at \(milliseconds): no answer from the partition leader before the deadline")
                }
                return found ?? -1
            }
        }
    }
}
