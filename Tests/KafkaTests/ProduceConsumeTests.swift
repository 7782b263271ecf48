@testable import Kafka
import Testing

@Suite(.offCooperativePool) struct ProduceConsumeTests {
    @Test func recordsRoundTripByteExactWithDeliveryReports() throws {
        let fixture = try KafkaFixture()
        try fixture.createTopic("round-trip")
        let allBytes = (0...255).map { UInt8($0) }
        let records = [
            OutgoingRecord(key: bytes("k1"), value: allBytes, headers: [("h1", bytes("v1")), ("binary", [0, 255, 0]), ("empty", [])]),
            OutgoingRecord(key: nil, value: bytes("no key")),
            OutgoingRecord(key: bytes("null value"), value: nil),
            OutgoingRecord(key: [], value: [], headers: [("h1", bytes("again")), ("h1", bytes("twice"))]),
        ] + (0..<20).map { OutgoingRecord(key: bytes("key-\($0 % 5)"), value: bytes("value-\($0)")) }

        let reports = try fixture.producer().send(topic: "round-trip", records: records, deadline: deadline())

        #expect(reports.map(\.index) == Array(records.indices))
        let acknowledged = try reports.map { report in
            try #require(report.acknowledgement, "record \(report.index): \(String(describing: report.error))")
        }
        for acknowledgement in acknowledged {
            #expect((0..<3).contains(acknowledgement.partition))
            #expect(acknowledgement.offset >= 0)
            #expect(acknowledgement.timestampMs != nil)
        }
        let positions = Set(acknowledged.map { "\($0.partition)/\($0.offset)" })
        #expect(positions.count == records.count, "each record got its own offset")
        // Same key, same partition.
        for key in 0..<5 {
            let partitions = Set(records.indices.filter { records[$0].key == bytes("key-\(key)") }.map { acknowledged[$0].partition })
            #expect(partitions.count == 1)
        }

        let result = try fixture.consumer().consumeAll(ConsumeRequest(topic: "round-trip", start: .beginning, maxRecords: 1000, deadline: deadline()))
        #expect(result.records.count == records.count)
        #expect(result.reachedEnd)
        for (index, record) in records.enumerated() {
            let consumed = result.records.first { $0.partition == acknowledged[index].partition && $0.offset == acknowledged[index].offset }
            #expect(consumed?.key == record.key, "record \(index)")
            #expect(consumed?.value == record.value, "record \(index)")
            #expect(consumed.map { $0.headers.map(\.0) } == record.headers.map(\.0), "record \(index)")
            #expect(consumed.map { $0.headers.map(\.1) } == record.headers.map(\.1), "record \(index)")
            // The mock answers Produce with LogAppendTime 1234, so report and record timestamps differ here.
            #expect(consumed?.timestampMs != nil)
        }
        for partition: Int32 in 0..<3 {
            let last = acknowledged.filter { $0.partition == partition }.map(\.offset).max()
            #expect(result.nextOffsets[partition] == (last.map { $0 + 1 } ?? 0))
        }
    }

    /// A call of more records than it may keep unacknowledged in librdkafka collects reports while it
    /// produces: every record still gets its own report and offset, none twice.
    @Test func aCallLargerThanTheUnacknowledgedWindowReportsEveryRecordOnce() throws {
        let fixture = try KafkaFixture()
        try fixture.createTopic("windowed")
        let count = ProducerSession.maximumUnacknowledged * 2 + 1000
        let records = (0..<count).map { OutgoingRecord(key: bytes("k\($0 % 97)"), value: bytes("v\($0)")) }
        let reports = try fixture.producer().send(topic: "windowed", records: records, deadline: deadline(seconds: 60))
        #expect(reports.map(\.index) == Array(0..<count))
        let acknowledged = reports.compactMap(\.acknowledgement)
        #expect(acknowledged.count == count)
        #expect(Set(acknowledged.map { "\($0.partition)/\($0.offset)" }).count == count)
    }

    @Test func explicitPartitionIsProducedToAndReadAlone() throws {
        let fixture = try KafkaFixture()
        try fixture.createTopic("explicit")
        let producer = try fixture.producer()
        let reports = producer.send(
            topic: "explicit", records: (0..<5).map { OutgoingRecord(value: bytes("p2-\($0)"), partition: 2) }, deadline: deadline())
        #expect(reports.allSatisfy { $0.acknowledgement?.partition == 2 })
        #expect(reports.map(\.acknowledgement?.offset) == [0, 1, 2, 3, 4])
        _ = producer.send(topic: "explicit", records: [OutgoingRecord(value: bytes("p0"), partition: 0)], deadline: deadline())

        let result = try fixture.consumer().consumeAll(
            ConsumeRequest(topic: "explicit", partition: 2, start: .beginning, maxRecords: 100, deadline: deadline()))
        #expect(result.records.map(\.value) == (0..<5).map { bytes("p2-\($0)") })
        #expect(result.nextOffsets == [2: 5])
        #expect(result.reachedEnd)
    }

    @Test func producingToAnUnknownPartitionReportsAnError() throws {
        let fixture = try KafkaFixture()
        try fixture.createTopic("few-partitions", partitions: 2)
        let reports = try fixture.producer().send(
            topic: "few-partitions", records: [OutgoingRecord(value: bytes("x"), partition: 7)], deadline: deadline(seconds: 10))
        #expect(reports.count == 1)
        #expect(reports.first?.error != nil)
    }

    @Test func aTopicIsCreatedOnFirstProduceByTheMockCluster() throws {
        let fixture = try KafkaFixture()
        let reports = try fixture.producer().send(topic: "auto-created", records: [OutgoingRecord(value: bytes("first"))], deadline: deadline())
        #expect(reports.first?.error == nil)
        #expect(try fixture.admin().topicMetadata("auto-created", deadline: deadline()) != nil)
    }

    @Test func aHundredThousandSmallRecordsAreAllAcknowledged() throws {
        let fixture = try KafkaFixture()
        try fixture.createTopic("bulk")
        let value = [UInt8](repeating: 0x61, count: 100)
        let records = (0..<100_000).map { _ in OutgoingRecord(value: value) }
        let reports = try fixture.producer().send(topic: "bulk", records: records, deadline: deadline(seconds: 120))
        #expect(reports.count == records.count)
        #expect(reports.allSatisfy { $0.error == nil })
        let offsets = try fixture.admin().offsets(topic: "bulk", deadline: deadline())
        #expect(offsets.map(\.latest).reduce(0, +) == 100_000)
    }
}
