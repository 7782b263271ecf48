import Kafka
import Testing

@Suite(.offCooperativePool) struct FaultTests {
    @Test func recordsAreReportedNotDeliveredWhenEveryBrokerIsDown() throws {
        let fixture = try KafkaFixture()
        try fixture.createTopic("unreachable")
        let producer = try fixture.producer()
        #expect(producer.send(topic: "unreachable", records: [OutgoingRecord(value: bytes("warm"))], deadline: deadline()).first?.error == nil)
        for broker in 1...3 { try fixture.cluster.command("broker-down \(broker)") }

        let started = ContinuousClock.now
        let reports = producer.send(
            topic: "unreachable", records: (0..<50).map { OutgoingRecord(value: bytes("\($0)")) },
            deadline: .now.advanced(by: .seconds(2)))
        #expect(ContinuousClock.now - started < .seconds(15))
        #expect(reports.map(\.index) == Array(0..<50))
        #expect(reports.allSatisfy { $0.error?.isTimeout == true })

        // The producer is still usable once the brokers are back.
        for broker in 1...3 { try fixture.cluster.command("broker-up \(broker)") }
        #expect(producer.send(topic: "unreachable", records: [OutgoingRecord(value: bytes("again"))], deadline: deadline()).first?.error == nil)
    }

    @Test func aDeadlineAlreadyPassedStillReportsEveryRecord() throws {
        let fixture = try KafkaFixture()
        try fixture.createTopic("hurried")
        try fixture.cluster.command("rtt 1 500")
        try fixture.cluster.command("rtt 2 500")
        try fixture.cluster.command("rtt 3 500")
        let reports = try fixture.producer().send(
            topic: "hurried", records: (0..<20).map { OutgoingRecord(value: bytes("\($0)")) }, deadline: .now)
        #expect(reports.count == 20)
        #expect(reports.allSatisfy { $0.error?.isTimeout == true })
    }

    @Test func consumingStopsAtTheDeadlineWhenBrokersAreSlow() throws {
        let fixture = try KafkaFixture()
        try fixture.createTopic("slow", partitions: 1)
        _ = try fixture.producer().send(topic: "slow", records: [OutgoingRecord(value: bytes("x"))], deadline: deadline())
        try fixture.cluster.command("broker-down 1")
        try fixture.cluster.command("broker-down 2")
        try fixture.cluster.command("broker-down 3")
        let started = ContinuousClock.now
        #expect(throws: KafkaError.self) {
            _ = try fixture.consumer().consumeAll(ConsumeRequest(topic: "slow", start: .beginning, maxRecords: 10, deadline: .now.advanced(by: .seconds(2))))
        }
        #expect(ContinuousClock.now - started < .seconds(15))
    }
}
