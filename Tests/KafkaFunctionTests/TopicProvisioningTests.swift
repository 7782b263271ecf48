import FunctionCore
import Kafka
import KafkaAdminClient
import Testing

/// `TopicProvisioner` in-process against `FakeKafka`: one lookup answers whether the topic exists and
/// whether CreateTopics can reach a controller; a known topic costs no round trip.
@Suite struct TopicProvisioningTests {
    static func request(_ topic: String, partitions: Int32 = 3, replicationFactor: Int16 = -1, create: Bool = true) -> ProduceRequest {
        ProduceRequest(topic: topic, records: .samples, numPartitions: partitions, replicationFactor: replicationFactor, createTopic: create)
    }

    static var deadline: ContinuousClock.Instant { .now + .seconds(5) }

    @Test func anExistingTopicIsLookedUpOnceThenKnown() throws {
        let kafka = FakeKafka(topics: ["orders": 3])
        #expect(try TopicProvisioner.ensure(Self.request("orders"), clients: kafka, deadline: Self.deadline) == .existed)
        #expect(try TopicProvisioner.ensure(Self.request("orders"), clients: kafka, deadline: Self.deadline) == .existed)
        #expect(kafka.calls == ["lookUpTopic orders"])
    }

    @Test func aMissingTopicIsCreatedWithTheAskedPartitionsAndReplication() throws {
        let kafka = FakeKafka()
        let outcome = try TopicProvisioner.ensure(Self.request("fresh", partitions: 6, replicationFactor: 2), clients: kafka, deadline: Self.deadline)
        #expect(outcome == .created)
        #expect(kafka.calls == ["lookUpTopic fresh", "createTopic fresh 6 2"])
        #expect(kafka.isKnownTopic("fresh"))
    }

    @Test func aTopicAnotherClientCreatedFirstCountsAsExisting() throws {
        let kafka = FakeKafka(createTopics: .alreadyExists)
        #expect(try TopicProvisioner.ensure(Self.request("raced"), clients: kafka, deadline: Self.deadline) == .existed)
        #expect(kafka.isKnownTopic("raced"))
    }

    @Test func withoutCreateTopicAMissingTopicIsTopicNotFoundAndNothingIsCreated() {
        let kafka = FakeKafka()
        let error = #expect(throws: FunctionError.self) {
            try TopicProvisioner.ensure(Self.request("absent", create: false), clients: kafka, deadline: Self.deadline)
        }
        #expect(error?.errorType == "Function.TopicNotFound")
        #expect(error?.errorMessage.contains("'absent'") == true)
        #expect(kafka.calls == ["lookUpTopic absent"])
    }

    @Test func withoutAControllerOrCreateTopicsTheTopicIsLeftToTheBroker() throws {
        let noController = FakeKafka(controllerIsABroker: false)
        #expect(try TopicProvisioner.ensure(Self.request("t"), clients: noController, deadline: Self.deadline) == .leftToBrokerAutoCreation)
        #expect(noController.calls == ["lookUpTopic t"])

        let noCreateTopics = FakeKafka(createTopics: .unsupported)
        #expect(try TopicProvisioner.ensure(Self.request("t"), clients: noCreateTopics, deadline: Self.deadline) == .leftToBrokerAutoCreation)
        #expect(noCreateTopics.calls == ["lookUpTopic t", "createTopic t 3 -1"])
        #expect(!noCreateTopics.isKnownTopic("t"))
    }

    @Test func aLookupThatTimesOutIsAKafkaTimeoutNamingTheStep() {
        let kafka = FakeKafka(failure: FakeKafka.timedOut)
        let error = #expect(throws: FunctionError.self) {
            try TopicProvisioner.ensure(Self.request("slow"), clients: kafka, deadline: Self.deadline)
        }
        #expect(error?.errorType == "Function.KafkaTimeout")
        #expect(error?.errorMessage.hasPrefix("Kafka failed while looking up topic 'slow'") == true)
    }
}
