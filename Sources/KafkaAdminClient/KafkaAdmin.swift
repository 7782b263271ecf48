import CRdKafka
import Kafka
import Logging
import Synchronization

public enum CreateTopicOutcome: Sendable, Equatable {
    case created
    /// The topic existed already (possibly created by a concurrent caller).
    case alreadyExists
}

/// Topic metadata, topic creation and partition offsets. Never creates topics by asking about them.
public final class KafkaAdmin: Sendable {
    private let client: Mutex<NativeClient>

    public init(configuration: KafkaConfiguration, logger: Logger) throws(KafkaError) {
        let native = try configuration.makeNativeConfiguration(role: .admin)
        client = Mutex(try NativeClient(type: RD_KAFKA_PRODUCER, configuration: native, logger: logger))
    }

    /// nil when the topic does not exist.
    public func topicMetadata(_ topic: String, deadline: ContinuousClock.Instant) throws(KafkaError) -> TopicMetadata? {
        try client.withLock { (client) throws(KafkaError) -> TopicMetadata? in
            try client.metadata(topic: topic, deadline: deadline).first { $0.name == topic }
        }
    }

    /// The topic (nil when it does not exist) and whether CreateTopics can reach a controller,
    /// from one Metadata request.
    public func lookUpTopic(_ topic: String, deadline: ContinuousClock.Instant) throws(KafkaError) -> TopicLookup {
        try client.withLock { (client) throws(KafkaError) -> TopicLookup in
            try client.lookUpTopic(topic, deadline: deadline)
        }
    }

    /// Every topic except internal ones (names starting with "__"), sorted by name.
    public func listTopics(deadline: ContinuousClock.Instant) throws(KafkaError) -> [TopicMetadata] {
        try client.withLock { (client) throws(KafkaError) -> [TopicMetadata] in
            try client.metadata(topic: nil, deadline: deadline)
                .filter { !$0.name.hasPrefix("__") }
                .sorted { $0.name < $1.name }
        }
    }

    /// Sends CreateTopics and waits for the topic to be visible, all by `deadline`. Call it only
    /// when `lookUpTopic` found a controller among the brokers.
    public func createTopic(
        _ name: String, partitions: Int32, replicationFactor: Int16, deadline: ContinuousClock.Instant
    ) throws(KafkaError) -> CreateTopicOutcome {
        try createTopic(name, partitions: partitions, replicationFactor: replicationFactor, configs: [], deadline: deadline)
    }

    /// `createTopic` with topic configuration entries (`cleanup.policy=compact`, ...).
    public func createTopic(
        _ name: String, partitions: Int32, replicationFactor: Int16, configs: [(String, String)],
        deadline: ContinuousClock.Instant
    ) throws(KafkaError) -> CreateTopicOutcome {
        try client.withLock { (client) throws(KafkaError) -> CreateTopicOutcome in
            try client.createTopic(
                name, partitions: partitions, replicationFactor: replicationFactor, configs: configs, deadline: deadline)
        }
    }

    /// Runs `body` with the native client, one caller at a time.
    func withClient<T: Sendable>(_ body: (NativeClient) throws(KafkaError) -> T) throws(KafkaError) -> T {
        try client.withLock { (client) throws(KafkaError) -> T in try body(client) }
    }

    /// Earliest and latest offsets of every partition of `topic`; throws when the topic does not exist.
    public func offsets(topic: String, deadline: ContinuousClock.Instant) throws(KafkaError) -> [PartitionOffsets] {
        try client.withLock { (client) throws(KafkaError) -> [PartitionOffsets] in
            guard let metadata = try client.metadata(topic: topic, deadline: deadline).first(where: { $0.name == topic }) else {
                throw KafkaError(code: RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, message: "topic '\(topic)' does not exist")
            }
            return try client.watermarks(topic: topic, partitions: metadata.partitions, deadline: deadline)
        }
    }
}
