import CRdKafka

public struct TopicMetadata: Sendable, Equatable {
    public var name: String
    /// Partition ids, sorted.
    public var partitions: [Int32]

    public init(name: String, partitions: [Int32]) {
        self.name = name
        self.partitions = partitions
    }
}

public struct PartitionOffsets: Sendable, Equatable {
    public var partition: Int32
    /// Offset of the oldest record still stored.
    public var earliest: Int64
    /// High watermark: offset the next produced record gets.
    public var latest: Int64

    public init(partition: Int32, earliest: Int64, latest: Int64) {
        self.partition = partition
        self.earliest = earliest
        self.latest = latest
    }
}

extension NativeClient {
    /// Metadata of one topic (nil when the broker does not know it) or, with `topic == nil`, of every topic.
    ///
    /// Asking for one topic creates a local topic object only; the handle must have
    /// `allow.auto.create.topics=false` so brokers honouring Metadata v4+ do not create it.
    ///
    /// - Parameter inspect: sees the whole answer (brokers, controller) before it is freed.
    package func metadata(
        topic: String?, deadline: ContinuousClock.Instant, inspect: (UnsafePointer<rd_kafka_metadata>) -> Void = { _ in }
    ) throws(KafkaError) -> [TopicMetadata] {
        var topicHandle: OpaquePointer?
        if let topic {
            guard let created = rd_kafka_topic_new(handle, topic, nil) else {
                throw KafkaError(code: rd_kafka_last_error(), message: "invalid topic name '\(topic)'")
            }
            topicHandle = created
        }
        defer { if let topicHandle { rd_kafka_topic_destroy(topicHandle) } }

        var metadata: UnsafePointer<rd_kafka_metadata>?
        let code = rd_kafka_metadata(
            handle, topic == nil ? 1 : 0, topicHandle, &metadata, deadline.remainingMilliseconds())
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            throw explainingConnectionFailure(
                KafkaError(code: code, message: "metadata request failed: \(String(cString: rd_kafka_err2str(code)))"))
        }
        forgetConnectionFailure()
        defer { rd_kafka_metadata_destroy(metadata) }
        inspect(metadata)

        var result: [TopicMetadata] = []
        for topicEntry in UnsafeBufferPointer(start: metadata.pointee.topics, count: Int(metadata.pointee.topic_cnt)) {
            let name = String(cString: topicEntry.topic)
            switch topicEntry.err {
            case RD_KAFKA_RESP_ERR_NO_ERROR, RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
                let partitions = UnsafeBufferPointer(start: topicEntry.partitions, count: Int(topicEntry.partition_cnt))
                result.append(TopicMetadata(name: name, partitions: partitions.map(\.id).sorted()))
            case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
                continue
            default:
                throw KafkaError(code: topicEntry.err, message: "topic '\(name)': \(String(cString: rd_kafka_err2str(topicEntry.err)))")
            }
        }
        return result
    }

    /// Low and high watermarks of every partition of `topic`, asked of the partition leaders.
    ///
    /// Asked with `rd_kafka_offsets_for_times` (ListOffsets for timestamps -2 and -1, one request
    /// per leader) rather than `rd_kafka_query_watermark_offsets`, whose wait for the answer does not
    /// end at its timeout: a leader that is slow or just back from an outage kept the call past
    /// the invocation's deadline.
    package func watermarks(topic: String, partitions: [Int32], deadline: ContinuousClock.Instant) throws(KafkaError) -> [PartitionOffsets] {
        guard !partitions.isEmpty else { return [] }
        let earliest = try listOffsets(topic: topic, partitions: partitions, timestamp: Int64(RD_KAFKA_OFFSET_BEGINNING), deadline: deadline)
        let latest = try listOffsets(topic: topic, partitions: partitions, timestamp: Int64(RD_KAFKA_OFFSET_END), deadline: deadline)
        var result: [PartitionOffsets] = []
        for partition in partitions {
            guard let low = earliest[partition], let high = latest[partition] else {
                throw KafkaError.timedOut("offsets of \(topic)/\(partition): no answer from the partition leader before the deadline")
            }
            result.append(PartitionOffsets(partition: partition, earliest: low, latest: high))
        }
        return result
    }

    /// The offset ListOffsets gives for `timestamp` (-2 earliest, -1 latest, else the first record
    /// at or after that time in ms) of each partition; a partition whose leader did not answer by
    /// `deadline`, or with no record that recent, is missing.
    package func listOffsets(
        topic: String, partitions: [Int32], timestamp: Int64, deadline: ContinuousClock.Instant
    ) throws(KafkaError) -> [Int32: Int64] {
        let list = TopicPartitionList(topic: topic, offsets: Dictionary(uniqueKeysWithValues: partitions.map { ($0, timestamp) }))
        let code = list.withUnsafePointer { rd_kafka_offsets_for_times(handle, $0, deadline.remainingMilliseconds()) }
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw explainingConnectionFailure(
                KafkaError(code: code, message: "offsets of \(topic): \(String(cString: rd_kafka_err2str(code)))"))
        }
        if let error = list.firstError { throw error }
        // On a timeout librdkafka 2.0.2 returns no error and leaves the asked timestamps in place.
        return list.offsets.filter { $0.value >= 0 }
    }
}
