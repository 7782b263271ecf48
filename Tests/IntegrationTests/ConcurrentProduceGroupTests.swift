import Foundation
import TestSupport
import Testing

/// Sixteen invocations at a time on one bootstrap (`AWS_LAMBDA_MAX_CONCURRENCY=16`), producing
/// back to back while the brokers take a round trip: calls queue behind the records in flight and
/// go out together, several calls' records in one request. Every answer must still name exactly
/// its own records' positions, and the topic must hold every acknowledged record exactly once.
@Suite(.offCooperativePool, .serialized) struct ConcurrentProduceGroupTests {
    static let concurrency = 16
    static let invocationsPerCaller = 8
    static let roundTripMs = 20

    @Test func groupedProducesAnswerTheirOwnPositionsAndEveryRecordIsInTheTopicOnce() throws {
        let rig = try ReliabilityRig(timeoutSeconds: 60, environment: ["AWS_LAMBDA_MAX_CONCURRENCY": String(Self.concurrency)])
        defer { rig.stop() }
        let (cluster, emulator) = (rig.cluster, rig.emulator)
        let pid = try emulator.bootstrapPID()
        let topic = "grouped-\(UUID().uuidString.prefix(8).lowercased())"
        // Even callers key every record alike (one partition, the idempotence window's case);
        // odd callers key each record apart (spread over the partitions).
        func key(_ caller: Int, _ invocation: Int, _ record: Int) -> String {
            caller.isMultiple(of: 2) ? "same" : "k-\(caller)-\(invocation)-\(record)"
        }
        func value(_ caller: Int, _ invocation: Int, _ record: Int) -> String { "c\(caller)-i\(invocation)-r\(record)" }
        func recordCount(_ caller: Int, _ invocation: Int) -> Int { 1 + (caller + invocation) % 4 }
        func event(_ caller: Int, _ invocation: Int) -> String {
            let records = (0..<recordCount(caller, invocation)).map { record in
                #"{"key":"\#(key(caller, invocation, record))","value":"\#(value(caller, invocation, record))"}"#
            }
            return #"{"action":"produce","topic":"\#(topic)","records":[\#(records.joined(separator: ","))]}"#
        }

        // Warm, before the latency: the producer exists, has its connections and knows the topic.
        let warm = try emulator.invoke(#"{"action":"produce","topic":"\#(topic)","records":[{"value":"warm"}]}"#)
        try #require(warm.functionError == nil, "\(warm.text.prefix(500))")
        for broker in 1...3 { try cluster.command("rtt \(broker) \(Self.roundTripMs)") }

        // Each caller invokes back to back, so calls keep arriving while others' records are in flight.
        let events = (0..<Self.concurrency).map { caller in (0..<Self.invocationsPerCaller).map { event(caller, $0) } }
        let answers = AnswerSlots(count: Self.concurrency * Self.invocationsPerCaller)
        let group = DispatchGroup()
        for caller in 0..<Self.concurrency {
            group.enter()
            Thread {
                for invocation in 0..<Self.invocationsPerCaller {
                    answers.set(caller * Self.invocationsPerCaller + invocation, Result { try emulator.invoke(events[caller][invocation]) })
                }
                group.leave()
            }.start()
        }
        group.wait()
        for broker in 1...3 { try cluster.command("rtt \(broker) 0") }

        var sent: [LogPosition: String] = [:]
        for (slot, answer) in try answers.all().enumerated() {
            let (caller, invocation) = slot.quotientAndRemainder(dividingBy: Self.invocationsPerCaller)
            let count = recordCount(caller, invocation)
            try #require(answer.functionError == nil, "\(answer.text.prefix(500))")
            let body = try answer.jsonObject()
            #expect(body.int("delivered") == count && body.int("failed") == 0, "\(answer.text.prefix(500))")
            let entries = body.objects("records").sorted { ($0.int("index") ?? -1) < ($1.int("index") ?? -1) }
            #expect(entries.compactMap { $0.int("index") } == Array(0..<count))
            for (record, entry) in entries.enumerated() {
                let position = try #require(LogPosition(entry), "\(entry)")
                #expect(sent[position] == nil, "two records answered with \(position)")
                sent[position] = value(caller, invocation, record)
            }
        }
        #expect(sent.count == (0..<Self.concurrency).flatMap { caller in
            (0..<Self.invocationsPerCaller).map { recordCount(caller, $0) }
        }.reduce(0, +))

        // Read the topic back: each answered position holds the record its answer named, and the
        // topic holds nothing else but the warm-up record (nothing written twice or unanswered).
        let consumed = try emulator.invoke(#"{"action":"consume","topic":"\#(topic)","max_records":10000,"timeout_ms":20000}"#)
        try #require(consumed.functionError == nil, "\(consumed.text.prefix(500))")
        var stored: [LogPosition: String] = [:]
        for record in try consumed.jsonObject().objects("records") {
            if let position = LogPosition(record), let text = record.string("value") { stored[position] = text }
        }
        for (position, text) in sent {
            #expect(stored[position] == text, "answer for \(text) names \(position)")
        }
        #expect(stored.count == sent.count + 1)
        #expect(Set(stored.values).count == stored.count, "a record is in the topic twice")
        #expect(try emulator.bootstrapPID() == pid)
        #expect(try emulator.restarts() == 0)
    }
}
