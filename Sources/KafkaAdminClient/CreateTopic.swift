import CRdKafka
import Kafka
import Encoding
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What one Metadata request says about a topic a produce needs.
public struct TopicLookup: Sendable, Equatable {
    /// nil when the topic does not exist.
    public var topic: TopicMetadata?
    /// Whether the controller the cluster names is one of its brokers, so CreateTopics can reach it.
    /// librdkafka's mock cluster answers controller 0 while its brokers are 1...N: CreateTopics
    /// would wait for a broker that does not exist until the deadline. Real clusters name one of theirs.
    public var controllerIsABroker: Bool

    public init(topic: TopicMetadata?, controllerIsABroker: Bool) {
        self.topic = topic
        self.controllerIsABroker = controllerIsABroker
    }
}

extension NativeClient {
    /// The topic's metadata and the controller check, from the same (single) Metadata request.
    func lookUpTopic(_ name: String, deadline: ContinuousClock.Instant) throws(KafkaError) -> TopicLookup {
        var controllerIsABroker = true
        let topics = try metadata(topic: name, deadline: deadline) { metadata in
            let controller = rd_kafka_controllerid(self.handle, 0)
            let brokers = UnsafeBufferPointer(start: metadata.pointee.brokers, count: Int(metadata.pointee.broker_cnt))
            controllerIsABroker = brokers.contains { $0.id == controller }
        }
        return TopicLookup(topic: topics.first { $0.name == name }, controllerIsABroker: controllerIsABroker)
    }

    /// Sends CreateTopics to the controller, then waits until the topic is in the metadata; all
    /// of it ends by `deadline` (librdkafka's request and operation timeouts end there too).
    func createTopic(
        _ name: String, partitions: Int32, replicationFactor: Int16, configs: [(String, String)] = [], deadline: ContinuousClock.Instant
    ) throws(KafkaError) -> CreateTopicOutcome {
        let outcome = try sendCreateTopics(
            name, partitions: partitions, replicationFactor: replicationFactor, configs: configs, deadline: deadline)
        try waitUntilVisible(name, deadline: deadline)
        return outcome
    }

    private func sendCreateTopics(
        _ name: String, partitions: Int32, replicationFactor: Int16, configs: [(String, String)], deadline: ContinuousClock.Instant
    ) throws(KafkaError) -> CreateTopicOutcome {
        var reason = CString.errorBuffer()
        guard let newTopic = rd_kafka_NewTopic_new(name, partitions, Int32(replicationFactor), &reason, reason.count) else {
            throw KafkaError(code: RD_KAFKA_RESP_ERR__INVALID_ARG, message: "cannot create topic '\(name)': \(CString.decode(reason))")
        }
        defer { rd_kafka_NewTopic_destroy(newTopic) }
        for (configName, value) in configs {
            let code = rd_kafka_NewTopic_set_config(newTopic, configName, value)
            guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError(code: code, message: "cannot set \(configName) on new topic '\(name)'")
            }
        }
        return try adminRequest(
            RD_KAFKA_ADMIN_OP_CREATETOPICS, timeoutMessage: "no CreateTopics answer for '\(name)' before the deadline",
            failurePrefix: "creating topic '\(name)'", deadline: deadline, waitsForOperation: true,
            send: { options, queue in
                var topics: [OpaquePointer?] = [newTopic]
                rd_kafka_CreateTopics(handle, &topics, 1, options, queue)
            },
            read: { (event) throws(KafkaError) in try Self.createTopicOutcome(in: event, name: name) })
    }

    /// The one topic's outcome from a CreateTopics result.
    private static func createTopicOutcome(in event: OpaquePointer, name: String) throws(KafkaError) -> CreateTopicOutcome {
        guard let result = rd_kafka_event_CreateTopics_result(event) else {
            throw KafkaError(code: RD_KAFKA_RESP_ERR__FAIL, message: "unexpected answer to CreateTopics")
        }
        var count = 0
        guard let results = rd_kafka_CreateTopics_result_topics(result, &count), count == 1, let topicResult = results[0] else {
            throw KafkaError(code: RD_KAFKA_RESP_ERR__FAIL, message: "CreateTopics answered for \(count) topics, expected 1")
        }
        let topicCode = rd_kafka_topic_result_error(topicResult)
        switch topicCode {
        case RD_KAFKA_RESP_ERR_NO_ERROR:
            return .created
        case RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS:
            return .alreadyExists
        default:
            let detail = rd_kafka_topic_result_error_string(topicResult).map { String(cString: $0) }
            throw KafkaError(code: topicCode, message: "creating topic '\(name)': \(detail ?? String(cString: rd_kafka_err2str(topicCode)))")
        }
    }

    /// The controller has the topic; the broker answering Metadata may learn of it a little
    /// later. Asks until it is there or the deadline comes; a topic still unseen then is left to
    /// the producer, which reports its records as failed rather than spend time past the deadline.
    private func waitUntilVisible(_ name: String, deadline: ContinuousClock.Instant) throws(KafkaError) {
        var pause: Duration = .milliseconds(10)
        while !deadline.hasPassed {
            do {
                if try metadata(topic: name, deadline: deadline).contains(where: { $0.name == name && !$0.partitions.isEmpty }) {
                    return
                }
            } catch {
                return  // The producer meets the same trouble and reports it per record.
            }
            let remaining = deadline - .now
            guard remaining > .zero else { return }
            Self.pause(min(pause, remaining))
            pause = min(pause * 2, .milliseconds(200))
        }
    }

    private static func pause(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        _ = nanosleep(&request, nil)
    }

}
