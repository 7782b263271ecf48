import Kafka
import KafkaAdminClient
import Testing

/// What the REST proxy's consumer instances need of the wrapper: reading given partitions from
/// given positions, group commits without a read, and the cluster's brokers and partition leaders.
@Suite(.offCooperativePool) struct RestProxySupportTests {
    @Test func readsOnlyTheGivenPartitionsFromTheGivenPositions() throws {
        let fixture = try KafkaFixture()
        try fixture.createTopic("positions", partitions: 3)
        let records = (0..<3).flatMap { partition in
            (0..<4).map { OutgoingRecord(value: bytes("\(partition)-\($0)"), partition: Int32(partition)) }
        }
        #expect(try fixture.producer().send(topic: "positions", records: records, deadline: deadline()).allSatisfy { $0.error == nil })
        var request = ConsumeRequest(topic: "positions", start: .end, maxRecords: 100, deadline: deadline())
        request.partitions = [0, 2]
        request.positions = [0: 1, 2: 3]
        let result = try fixture.consumer().consumeAll(request)
        #expect(Set(result.records.map { String(decoding: $0.value ?? [], as: UTF8.self) }) == ["0-1", "0-2", "0-3", "2-3"])
        #expect(result.nextOffsets == [0: 4, 2: 4])
    }

    @Test func commitsWithoutReadingAndReadsTheCommittedOffsetsBack() throws {
        let fixture = try KafkaFixture()
        try fixture.createTopic("commits", partitions: 2)
        let consumer = try fixture.consumer()
        #expect(try consumer.committed(groupID: "rest-commits", topic: "commits", partitions: [0, 1], deadline: deadline()) == [:])
        try consumer.commit(groupID: "rest-commits", topic: "commits", offsets: [0: 0, 1: 0], deadline: deadline())
        #expect(try consumer.committed(groupID: "rest-commits", topic: "commits", partitions: [0, 1], deadline: deadline()) == [0: 0, 1: 0])
    }

    @Test func describesBrokersAndPartitions() throws {
        let fixture = try KafkaFixture()
        try fixture.createTopic("described", partitions: 2)
        let admin = try fixture.admin()
        let brokers = try admin.brokerIDs(deadline: deadline())
        #expect(!brokers.isEmpty)
        let partitions = try #require(try admin.partitionDetails(topic: "described", deadline: deadline()))
        #expect(partitions.map(\.partition) == [0, 1])
        for partition in partitions {
            #expect(brokers.contains(partition.leader))
            #expect(partition.replicas.contains(partition.leader))
        }
        #expect(try admin.partitionDetails(topic: "not-there", deadline: deadline()) == nil)
    }
}
