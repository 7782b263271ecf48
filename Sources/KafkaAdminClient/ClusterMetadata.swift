import CRdKafka
import Kafka
import Encoding

/// One partition as the cluster's metadata describes it.
public struct PartitionDetail: Sendable, Equatable {
    public var partition: Int32
    /// -1 when the partition has no leader.
    public var leader: Int32
    public var replicas: [Int32]
    public var inSyncReplicas: [Int32]

    public init(partition: Int32, leader: Int32, replicas: [Int32], inSyncReplicas: [Int32]) {
        self.partition = partition
        self.leader = leader
        self.replicas = replicas
        self.inSyncReplicas = inSyncReplicas
    }
}

extension KafkaAdmin {
    /// The ids of the cluster's brokers, sorted, from one Metadata request that names no topic.
    public func brokerIDs(deadline: ContinuousClock.Instant) throws(KafkaError) -> [Int32] {
        try withClient { (client) throws(KafkaError) -> [Int32] in
            var metadata: UnsafePointer<rd_kafka_metadata>?
            let code = rd_kafka_metadata(client.handle, 0, nil, &metadata, deadline.remainingMilliseconds())
            guard code == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
                throw KafkaError(code: code, message: "metadata request failed: \(String(cString: rd_kafka_err2str(code)))")
            }
            defer { rd_kafka_metadata_destroy(metadata) }
            return UnsafeBufferPointer(start: metadata.pointee.brokers, count: Int(metadata.pointee.broker_cnt)).map(\.id).sorted()
        }
    }

    /// Every partition of `topic` with its leader and replicas, sorted; nil when the topic does not exist.
    public func partitionDetails(topic: String, deadline: ContinuousClock.Instant) throws(KafkaError) -> [PartitionDetail]? {
        try withClient { (client) throws(KafkaError) -> [PartitionDetail]? in
            var details: [PartitionDetail]?
            _ = try client.metadata(topic: topic, deadline: deadline) { metadata in
                let topics = UnsafeBufferPointer(start: metadata.pointee.topics, count: Int(metadata.pointee.topic_cnt))
                guard let entry = topics.first(where: { String(cString: $0.topic) == topic }),
                      entry.err != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART else { return }
                details = UnsafeBufferPointer(start: entry.partitions, count: Int(entry.partition_cnt)).map { partition in
                    PartitionDetail(
                        partition: partition.id, leader: partition.leader,
                        replicas: Array(UnsafeBufferPointer(start: partition.replicas, count: Int(partition.replica_cnt))),
                        inSyncReplicas: Array(UnsafeBufferPointer(start: partition.isrs, count: Int(partition.isr_cnt))))
                }.sorted { $0.partition < $1.partition }
            }
            return details
        }
    }

    /// The topic's configuration entries (DescribeConfigs), sensitive ones left out, sorted by name.
    public func topicConfigs(topic: String, deadline: ContinuousClock.Instant) throws(KafkaError) -> [(name: String, value: String?)] {
        try withClient { (client) throws(KafkaError) -> [(name: String, value: String?)] in
            try client.describeTopicConfigs(topic, deadline: deadline)
        }
    }
}

extension NativeClient {
    fileprivate func describeTopicConfigs(_ topic: String, deadline: ContinuousClock.Instant) throws(KafkaError) -> [(name: String, value: String?)] {
        guard let resource = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic) else {
            throw KafkaError(code: RD_KAFKA_RESP_ERR__INVALID_ARG, message: "invalid topic name '\(topic)'")
        }
        defer { rd_kafka_ConfigResource_destroy(resource) }
        return try adminRequest(
            RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, timeoutMessage: "no DescribeConfigs answer for '\(topic)' before the deadline",
            failurePrefix: "describing topic '\(topic)'", deadline: deadline,
            send: { options, queue in
                var resources: [OpaquePointer?] = [resource]
                rd_kafka_DescribeConfigs(handle, &resources, 1, options, queue)
            },
            read: { (event) throws(KafkaError) in try Self.describedConfigs(in: event, topic: topic) })
    }

    /// The topic's configuration entries from a DescribeConfigs result, sensitive ones left out.
    private static func describedConfigs(in event: OpaquePointer, topic: String) throws(KafkaError) -> [(name: String, value: String?)] {
        guard let result = rd_kafka_event_DescribeConfigs_result(event) else {
            throw KafkaError(code: RD_KAFKA_RESP_ERR__FAIL, message: "unexpected answer to DescribeConfigs")
        }
        var count = 0
        guard let described = rd_kafka_DescribeConfigs_result_resources(result, &count), count == 1, let first = described[0] else {
            throw KafkaError(code: RD_KAFKA_RESP_ERR__FAIL, message: "DescribeConfigs answered for \(count) resources, expected 1")
        }
        let resourceCode = rd_kafka_ConfigResource_error(first)
        guard resourceCode == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(code: resourceCode, message: "describing topic '\(topic)': \(String(cString: rd_kafka_err2str(resourceCode)))")
        }
        var entryCount = 0
        guard let entries = rd_kafka_ConfigResource_configs(first, &entryCount) else { return [] }
        var configs: [(name: String, value: String?)] = []
        for entry in UnsafeBufferPointer(start: entries, count: entryCount) {
            guard let entry, rd_kafka_ConfigEntry_is_sensitive(entry) == 0 else { continue }
            configs.append((String(cString: rd_kafka_ConfigEntry_name(entry)), rd_kafka_ConfigEntry_value(entry).map { String(cString: $0) }))
        }
        return configs.sorted { $0.name < $1.name }
    }
}
