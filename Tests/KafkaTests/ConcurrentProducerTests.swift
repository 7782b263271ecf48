import Foundation
import Kafka
import Synchronization
import Testing

/// Many threads sending at once on one `KafkaProducer`: each call gets the reports of its own
/// records, whichever thread collected them.
@Suite(.offCooperativePool) struct ConcurrentProducerTests {
    static let threads = 12
    static let sendsPerThread = 10

    @Test func everyReportBelongsToItsOwnCallsRecord() throws {
        let fixture = try KafkaFixture()
        try fixture.createTopic("concurrent-shared", partitions: 4)
        try fixture.createTopic("concurrent-other", partitions: 2)
        let producer = try fixture.producer()
        let topic = Self.topic, value = Self.value, recordCount = Self.recordCount

        let sent = Mutex<[String: [String: [UInt8]]]>([:])
        let failures = Mutex<[String]>([])
        runOnThreads(Self.threads) { thread in
            for send in 0..<Self.sendsPerThread {
                let count = recordCount(thread, send)
                let records = (0..<count).map { OutgoingRecord(key: bytes("k\(thread)"), value: value(thread, send, $0)) }
                let reports = producer.send(topic: topic(thread), records: records, deadline: deadline())
                guard reports.map(\.index) == Array(0..<count) else {
                    failures.withLock { $0.append("thread \(thread) send \(send): indices \(reports.map(\.index))") }
                    continue
                }
                for report in reports {
                    guard let acknowledgement = report.acknowledgement else {
                        failures.withLock { $0.append("thread \(thread) send \(send) record \(report.index): \(String(describing: report.error))") }
                        continue
                    }
                    let position = "\(acknowledgement.partition)/\(acknowledgement.offset)"
                    sent.withLock { sent in
                        if sent[topic(thread), default: [:]][position] != nil {
                            failures.withLock { $0.append("\(topic(thread)) \(position) reported twice") }
                        }
                        sent[topic(thread), default: [:]][position] = value(thread, send, report.index)
                    }
                }
            }
        }
        #expect(failures.withLock { $0 } == [])

        let expected = sent.withLock { $0 }
        let consumer = try fixture.consumer()
        for (name, positions) in expected {
            let result = try consumer.consumeAll(ConsumeRequest(topic: name, maxRecords: 100_000, deadline: deadline()))
            var stored: [String: [UInt8]] = [:]
            for record in result.records { stored["\(record.partition)/\(record.offset)"] = record.value }
            #expect(stored.count == positions.count, "\(name)")
            for (position, value) in positions {
                #expect(stored[position] == value, "\(name) \(position)")
            }
        }
        let total = expected.values.map(\.count).reduce(0, +)
        var wanted = 0
        for thread in 0..<Self.threads {
            for send in 0..<Self.sendsPerThread { wanted += recordCount(thread, send) }
        }
        #expect(total == wanted)
    }

    @Sendable static func topic(_ thread: Int) -> String { thread.isMultiple(of: 3) ? "concurrent-other" : "concurrent-shared" }
    @Sendable static func value(_ thread: Int, _ send: Int, _ record: Int) -> [UInt8] { bytes("t\(thread)-s\(send)-r\(record)") }
    /// 1 to 40 records, different from call to call.
    @Sendable static func recordCount(_ thread: Int, _ send: Int) -> Int { 1 + (thread * 7 + send * 13) % 40 }

    /// A call whose deadline passes while another is in flight reports its records timed out
    /// without purging the producer: the other call still gets its acknowledgements.
    @Test func aCallGivingUpDoesNotPurgeAnotherCallsRecords() throws {
        let fixture = try KafkaFixture()
        try fixture.createTopic("gives-up", partitions: 1)
        try fixture.createTopic("slow-but-fine", partitions: 1)
        try fixture.cluster.command("leader gives-up 0 1")
        try fixture.cluster.command("leader slow-but-fine 0 2")
        let producer = try fixture.producer()
        for name in ["gives-up", "slow-but-fine"] {
            let warm = producer.send(topic: name, records: [OutgoingRecord(value: bytes("warm"))], deadline: deadline())
            try #require(warm.first?.acknowledgement != nil, "\(name): \(String(describing: warm.first?.error))")
        }
        try fixture.cluster.command("broker-down 1")
        try fixture.cluster.command("rtt 2 2500")

        let slow = Mutex<[DeliveryReport]>([])
        let givingUp = Mutex<([DeliveryReport], Duration)>(([], .zero))
        runOnThreads(2) { thread in
            if thread == 0 {
                let reports = producer.send(topic: "slow-but-fine", records: [OutgoingRecord(value: bytes("fine"))], deadline: deadline())
                slow.withLock { $0 = reports }
            } else {
                let started = ContinuousClock.now
                let reports = producer.send(
                    topic: "gives-up", records: (0..<3).map { OutgoingRecord(value: bytes("late-\($0)")) },
                    deadline: .now.advanced(by: .milliseconds(1200)))
                givingUp.withLock { $0 = (reports, ContinuousClock.now - started) }
            }
        }
        let (reports, took) = givingUp.withLock { $0 }
        #expect(took < .milliseconds(1200))
        #expect(reports.map(\.index) == [0, 1, 2])
        #expect(reports.allSatisfy { $0.error?.isTimeout == true }, "\(reports)")
        let fine = slow.withLock { $0 }
        #expect(fine.count == 1 && fine.first?.acknowledgement != nil, "\(fine)")

        try fixture.cluster.command("rtt 2 0")
        try fixture.cluster.command("broker-up 1")
        let again = producer.send(topic: "gives-up", records: [OutgoingRecord(value: bytes("again"))], deadline: deadline())
        #expect(again.first?.acknowledgement != nil, "\(again)")
    }
}
