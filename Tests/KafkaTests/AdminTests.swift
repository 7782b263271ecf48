import Kafka
import KafkaAdminClient
import Testing
import TestSupport

@Suite(.offCooperativePool) struct AdminTests {
    @Test func metadataOfAMissingTopicIsNilAndDoesNotCreateIt() throws {
        let fixture = try KafkaFixture()
        try fixture.createTopic("present", partitions: 3)
        let admin = try fixture.admin()
        #expect(try admin.topicMetadata("absent", deadline: deadline()) == nil)
        #expect(try admin.topicMetadata("absent", deadline: deadline()) == nil)
        #expect(try admin.topicMetadata("present", deadline: deadline()) == TopicMetadata(name: "present", partitions: [0, 1, 2]))
        let names = try admin.listTopics(deadline: deadline()).map(\.name)
        #expect(names.contains("present"))
        #expect(!names.contains("absent"))
    }

    @Test func offsetsAreTheWatermarksOfEveryPartition() throws {
        let fixture = try KafkaFixture()
        try fixture.createTopic("counted", partitions: 2)
        let reports = try fixture.producer().send(
            topic: "counted",
            records: (0..<3).map { OutgoingRecord(value: bytes("\($0)"), partition: 1) }, deadline: deadline())
        #expect(reports.allSatisfy { $0.error == nil })
        let offsets = try fixture.admin().offsets(topic: "counted", deadline: deadline())
        #expect(offsets == [
            PartitionOffsets(partition: 0, earliest: 0, latest: 0),
            PartitionOffsets(partition: 1, earliest: 0, latest: 3),
        ])
        #expect(throws: KafkaError.self) { try fixture.admin().offsets(topic: "uncounted", deadline: deadline()) }
    }

    @Test func createTopicSendsCreateTopicsAndMapsBothAnswers() throws {
        let listener = try KafkaProtocolTestListener(existingTopics: ["taken"])
        let configuration = KafkaConfiguration(bootstrapServers: listener.bootstrapServer)
        let admin = try KafkaAdmin(configuration: configuration, logger: .init(label: "AdminTests"))

        #expect(try admin.createTopic("orders", partitions: 6, replicationFactor: 3, deadline: deadline()) == .created)
        #expect(try admin.createTopic("taken", partitions: 1, replicationFactor: 2, deadline: deadline()) == .alreadyExists)
        // The listener remembers what it created, like a broker: a second caller loses the race.
        #expect(try admin.createTopic("orders", partitions: 6, replicationFactor: 3, deadline: deadline()) == .alreadyExists)

        let sent = listener.topicCreations
        #expect(sent.map(\.name) == ["orders", "taken", "orders"])
        #expect(sent.map(\.partitions) == [6, 1, 6])
        #expect(sent.map(\.replicationFactor) == [3, 2, 3])
        #expect(sent.allSatisfy { $0.apiVersion == 4 && $0.timeoutMs > 0 })
    }

    @Test func oneLookupTellsWhetherTheTopicExistsAndWhetherAControllerCanCreateIt() throws {
        // The mock names controller 0, none of its brokers: CreateTopics could not reach it.
        let fixture = try KafkaFixture()
        try fixture.createTopic("present", partitions: 2)
        let mock = try fixture.admin()
        #expect(try mock.lookUpTopic("absent", deadline: deadline()) == TopicLookup(topic: nil, controllerIsABroker: false))
        #expect(try mock.lookUpTopic("present", deadline: deadline()).topic == TopicMetadata(name: "present", partitions: [0, 1]))

        // A broker that is its own controller, as real clusters name one of theirs.
        let listener = try KafkaProtocolTestListener()
        let configuration = KafkaConfiguration(bootstrapServers: listener.bootstrapServer)
        let admin = try KafkaAdmin(configuration: configuration, logger: .init(label: "AdminTests"))
        #expect(try admin.lookUpTopic("orders", deadline: deadline()) == TopicLookup(topic: nil, controllerIsABroker: true))
        // Created, then visible with its partitions before createTopic returns.
        #expect(try admin.createTopic("orders", partitions: 3, replicationFactor: 1, deadline: deadline()) == .created)
        #expect(try admin.lookUpTopic("orders", deadline: deadline()).topic == TopicMetadata(name: "orders", partitions: [0, 1, 2]))
    }
}
