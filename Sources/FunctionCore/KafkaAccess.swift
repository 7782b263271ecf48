import Kafka
import KafkaAdminClient

/// What the actions and front-ends use of Kafka: a producer, consumer sessions, the admin client
/// and the cache of topics known to exist. `KafkaClients` is the real one; a test can hand the
/// actions, the router and pub/sub a fake instead and drive them in process.
package protocol KafkaAccess: Sendable {
    func producer() throws(FunctionError) -> any RecordProducer
    func consumer() throws(FunctionError) -> any RecordConsumer
    func admin() throws(FunctionError) -> any KafkaAdministration
    /// Whether the topic was seen to exist, so a warm produce skips the metadata round trip.
    func isKnownTopic(_ topic: String) -> Bool
    func rememberTopic(_ topic: String)
    /// A consumer of its own (not shared with `consumer()`), for a reader that keeps one topic
    /// assigned between calls: the REST proxy's consumer-instance state.
    func dedicatedConsumer() throws(FunctionError) -> any RecordConsumer
}

/// Sends records and waits for each one's delivery report (`KafkaProducer`).
package protocol RecordProducer: Sendable {
    func send(topic: String, records: [OutgoingRecord], deadline: ContinuousClock.Instant) -> [DeliveryReport]
    func send(topic: String, records: some ProducibleRecords, deadline: ContinuousClock.Instant) -> [DeliveryReport]
}

/// Reads records in one bounded session (`KafkaConsumer`).
package protocol RecordConsumer: Sendable {
    func consume(_ request: ConsumeRequest, accept: (ConsumedRecord) -> Bool) throws(KafkaError) -> ConsumeResult
    /// Each record in place, none kept (see `KafkaConsumer.consumeInPlace`).
    func consumeInPlace(_ request: ConsumeRequest, accept: (ConsumedRecordView) -> Bool) throws(KafkaError) -> ConsumeResult
    /// Commits these next-to-read offsets for the group, without reading.
    func commit(groupID: String, topic: String, offsets: [Int32: Int64], deadline: ContinuousClock.Instant) throws(KafkaError)
    /// The group's committed offsets of these partitions; partitions without one are left out.
    func committed(groupID: String, topic: String, partitions: [Int32], deadline: ContinuousClock.Instant) throws(KafkaError) -> [Int32: Int64]
}

extension RecordConsumer {
    /// For a consumer that only copies records out (a test's fake): each record handed as a view of its copy.
    package func consumeInPlace(_ request: ConsumeRequest, accept: (ConsumedRecordView) -> Bool) throws(KafkaError) -> ConsumeResult {
        var result = try consume(request) { record in record.withView(accept) }
        result.records = []
        return result
    }
}

/// Metadata, offsets and topic creation (`KafkaAdmin`).
package protocol KafkaAdministration: Sendable {
    func lookUpTopic(_ topic: String, deadline: ContinuousClock.Instant) throws(KafkaError) -> TopicLookup
    func listTopics(deadline: ContinuousClock.Instant) throws(KafkaError) -> [TopicMetadata]
    func createTopic(
        _ name: String, partitions: Int32, replicationFactor: Int16, deadline: ContinuousClock.Instant
    ) throws(KafkaError) -> CreateTopicOutcome
    func offsets(topic: String, deadline: ContinuousClock.Instant) throws(KafkaError) -> [PartitionOffsets]
    func offset(topic: String, partition: Int32, query: OffsetQuery, deadline: ContinuousClock.Instant) throws(KafkaError) -> Int64
    func createTopic(
        _ name: String, partitions: Int32, replicationFactor: Int16, configs: [(String, String)], deadline: ContinuousClock.Instant
    ) throws(KafkaError) -> CreateTopicOutcome
    func brokerIDs(deadline: ContinuousClock.Instant) throws(KafkaError) -> [Int32]
    /// nil when the topic does not exist.
    func partitionDetails(topic: String, deadline: ContinuousClock.Instant) throws(KafkaError) -> [PartitionDetail]?
    func topicConfigs(topic: String, deadline: ContinuousClock.Instant) throws(KafkaError) -> [(name: String, value: String?)]
}

extension KafkaProducer: RecordProducer {}
extension KafkaConsumer: RecordConsumer {}
extension KafkaAdmin: KafkaAdministration {}
