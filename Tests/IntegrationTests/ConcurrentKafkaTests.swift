import Foundation
import TestSupport
import Testing

/// Concurrent produce and consume invocations on one bootstrap (`AWS_LAMBDA_MAX_CONCURRENCY`),
/// sharing its Kafka clients: every answer must hold exactly its own invocation's records.
@Suite(.offCooperativePool, .serialized) struct ConcurrentKafkaTests {
    static let concurrency = 8
    static let recordsPerInvocation = 25

    @Test func concurrentProducesAndConsumesNeverCrossAnswers() throws {
        let rig = try ReliabilityRig(timeoutSeconds: 60, environment: ["AWS_LAMBDA_MAX_CONCURRENCY": String(Self.concurrency)])
        defer { rig.stop() }
        let emulator = rig.emulator
        let pid = try emulator.bootstrapPID()
        let run = UUID().uuidString.prefix(8).lowercased()
        // Half the invocations share one topic (their reports interleave on one producer), the
        // others have a topic each.
        let shared = "shared-\(run)"
        let topics = (0..<Self.concurrency).map { $0.isMultiple(of: 2) ? shared : "own-\(run)-\($0)" }
        func value(_ invocation: Int, _ record: Int) -> String { "inv-\(invocation)-rec-\(record)" }

        for round in 0..<3 {
            let events = (0..<Self.concurrency).map { invocation in
                let records = (0..<Self.recordsPerInvocation).map { record in
                    #"{"key":"k-\#(invocation)","value":"\#(value(invocation, record))-round-\#(round)"}"#
                }
                return #"{"action":"produce","topic":"\#(topics[invocation])","records":[\#(records.joined(separator: ","))]}"#
            }
            let answers = try ConcurrentInvocationTests.invokeAtOnce(emulator, events)
            var positions: [Int: [LogPosition]] = [:]
            for (invocation, answer) in answers.enumerated() {
                try #require(answer.functionError == nil, "\(answer.text.prefix(500))")
                let body = try answer.jsonObject()
                #expect(body.string("topic") == topics[invocation])
                #expect(body.int("delivered") == Self.recordsPerInvocation && body.int("failed") == 0)
                let entries = body.objects("records").sorted { ($0.int("index") ?? -1) < ($1.int("index") ?? -1) }
                #expect(entries.compactMap { $0.int("index") } == Array(0..<Self.recordsPerInvocation))
                positions[invocation] = entries.compactMap(LogPosition.init)
            }

            // Read every topic back: the record at each reported position is the one sent there.
            let consumes = Array(Set(topics)).sorted()
            let consumeAnswers = try ConcurrentInvocationTests.invokeAtOnce(emulator, consumes.map { topic in
                #"{"action":"consume","topic":"\#(topic)","max_records":10000,"timeout_ms":20000}"#
            })
            var stored: [String: [LogPosition: String]] = [:]
            for (index, answer) in consumeAnswers.enumerated() {
                try #require(answer.functionError == nil, "\(answer.text.prefix(500))")
                let body = try answer.jsonObject()
                #expect(body.string("topic") == consumes[index])
                for record in body.objects("records") {
                    if let position = LogPosition(record), let text = record.string("value") {
                        stored[consumes[index], default: [:]][position] = text
                    }
                }
            }
            for invocation in 0..<Self.concurrency {
                let sent = positions[invocation] ?? []
                #expect(sent.count == Self.recordsPerInvocation)
                for (record, position) in sent.enumerated() {
                    #expect(stored[topics[invocation]]?[position] == "\(value(invocation, record))-round-\(round)",
                            "invocation \(invocation) record \(record) at \(position)")
                }
            }
            let expectedShared = (Self.concurrency + 1) / 2 * Self.recordsPerInvocation * (round + 1)
            #expect(stored[shared]?.count == expectedShared)
        }
        #expect(try emulator.bootstrapPID() == pid)
        #expect(try emulator.restarts() == 0)
    }
}
