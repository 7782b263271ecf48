import Foundation
import Kafka
import Synchronization
import Testing

/// Calls that find the producer's records-in-flight window full wait in its queue; one whose
/// deadline passes there is reported not sent, and its records never reach the broker.
@Suite(.offCooperativePool) struct ProduceQueueTests {
    @Test func aCallQueuedPastItsDeadlineIsReportedNotSentAndNeverWritten() throws {
        let fixture = try KafkaFixture()
        try fixture.createTopic("queued-late", partitions: 1)
        try fixture.cluster.command("leader queued-late 0 1")
        let producer = try fixture.producer()
        let warm = producer.send(topic: "queued-late", records: [OutgoingRecord(value: bytes("warm"))], deadline: deadline())
        try #require(warm.first?.acknowledgement != nil, "\(String(describing: warm.first?.error))")
        try fixture.cluster.command("rtt 1 2500")

        // Five one-record calls fill the window (librdkafka sends no more requests for the
        // partition while five of its records are in flight) and stay in flight for the round trip.
        let inFlight = Mutex<[Int: [DeliveryReport]]>([:])
        let first = startOnThreads(5) { thread in
            let reports = producer.send(topic: "queued-late", records: [OutgoingRecord(value: bytes("in-flight-\(thread)"))],
                                        deadline: deadline())
            inFlight.withLock { $0[thread] = reports }
        }
        let filled = ContinuousClock.now.advanced(by: .seconds(20))
        while producer.recordsInFlight < 5 && !filled.hasPassed { Thread.sleep(forTimeInterval: 0.005) }
        try #require(producer.recordsInFlight == 5)

        // These queue behind them, and their deadlines pass before a slot frees.
        let queued = Mutex<[Int: [DeliveryReport]]>([:])
        let second = startOnThreads(3) { thread in
            let reports = producer.send(topic: "queued-late", records: (0..<2).map { OutgoingRecord(value: bytes("queued-\(thread)-\($0)")) },
                                        deadline: .now.advanced(by: .milliseconds(900)))
            queued.withLock { $0[thread] = reports }
        }
        second.wait()
        first.wait()

        for (thread, reports) in queued.withLock({ $0 }) {
            #expect(reports.map(\.index) == [0, 1])
            for report in reports {
                #expect(report.error?.isTimeout == true && report.error?.message.contains("not sent") == true,
                        "queued call \(thread): \(String(describing: report.error))")
            }
        }
        let acknowledged = inFlight.withLock { $0 }
        #expect(acknowledged.count == 5)
        for (thread, reports) in acknowledged {
            #expect(reports.count == 1 && reports.first?.acknowledgement != nil, "call \(thread): \(reports)")
        }

        try fixture.cluster.command("rtt 1 0")
        let consumer = try fixture.consumer()
        let stored = try consumer.consumeAll(ConsumeRequest(topic: "queued-late", maxRecords: 1000, deadline: deadline()))
        let values = Set(stored.records.compactMap { $0.value.map { String(decoding: $0, as: UTF8.self) } })
        #expect(values == Set(["warm"] + (0..<5).map { "in-flight-\($0)" }))
    }
}
