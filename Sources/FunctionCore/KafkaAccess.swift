import Kafka

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
}

/// Sends records and waits for each one's delivery report (`KafkaProducer`).
package protocol RecordProducer: Sendable {
    func send(topic: String, records: [OutgoingRecord], deadline: ContinuousClock.Instant) -> [DeliveryReport]
    func send(topic: String, records: some ProducibleRecords, deadline: ContinuousClock.Instant) -> [DeliveryReport]
}

/// Reads records in one bounded session (`KafkaConsumer`).
package protocol RecordConsumer: Sendable {
    func consume(_ request: ConsumeRequest, accept: (ConsumedRecord) -> Bool) throws(KafkaError) -> ConsumeResult
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
}

extension KafkaProducer: RecordProducer {}
extension KafkaConsumer: RecordConsumer {}
extension KafkaAdmin: KafkaAdministration {}
