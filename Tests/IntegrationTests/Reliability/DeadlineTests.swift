import Foundation
import TestSupport
import Testing

/// With a short function timeout and the default safety margin, work that cannot finish (every
/// broker down, brokers too slow, a consume asked to wait for many minutes) still answers, with
/// a partial result or a structured error, at least 200 ms before the deadline. Slow (time windows
/// of seconds each); the default run keeps the contract through `KafkaFaultScenarioTests`
/// (every broker down mid-produce) and `FaultTests` (a consume against slow brokers).
@Suite(.offCooperativePool, .serialized, .tags(.slow), .onlyInSlowStep) struct DeadlineTests {
    static let timeoutSeconds = 3.0
    /// The contract: the answer is posted at least this long before the deadline.
    static let requiredHeadroomMs = 200.0

    @Test func aWarmProduceWithEveryBrokerDownAnswersBeforeTheDeadline() throws {
        let rig = try ReliabilityRig(timeoutSeconds: Self.timeoutSeconds)
        defer { rig.stop() }
        let warm = try rig.emulator.invoke(#"{"action":"produce","topic":"deadline","records":[{"value":"warm"}]}"#)
        try #require(warm.functionError == nil, "\(warm.text.prefix(300))")
        try rig.setEveryBroker(up: false)

        let records = (0..<100).map { #"{"value":{"id":\#($0)}}"# }.joined(separator: ",")
        let result = try answeredInTime(rig, #"{"action":"produce","topic":"deadline","records":[\#(records)]}"#)
        let body = try result.jsonObject()
        #expect(body["errorType"] as? String == "Function.ProduceIncomplete")
        #expect((body["failed_records"] as? [Any])?.count == 100)
    }

    @Test func aColdProduceWithEveryBrokerDownAnswersBeforeTheDeadline() throws {
        let rig = try ReliabilityRig(timeoutSeconds: Self.timeoutSeconds)
        defer { rig.stop() }
        try rig.setEveryBroker(up: false)
        let result = try answeredInTime(rig, #"{"action":"produce","topic":"cold","records":[{"value":"x"}]}"#)
        let errorType = try result.jsonObject()["errorType"] as? String
        #expect(["Function.KafkaTimeout", "Function.KafkaError", "Function.ProduceIncomplete"].contains(errorType))
    }

    @Test func aConsumeWithAHugeTimeoutAndEveryBrokerDownAnswersBeforeTheDeadline() throws {
        let rig = try ReliabilityRig(timeoutSeconds: Self.timeoutSeconds)
        defer { rig.stop() }
        let warm = try rig.emulator.invoke(#"{"action":"produce","topic":"drained","records":[{"value":"a"},{"value":"b"}]}"#)
        try #require(warm.functionError == nil, "\(warm.text.prefix(300))")
        try rig.setEveryBroker(up: false)
        let result = try answeredInTime(rig, #"{"action":"consume","topic":"drained","timeout_ms":900000}"#)
        try expectPartialResultOrStructuredError(result)
    }

    @Test func aConsumeWithAHugeTimeoutAgainstSlowBrokersAnswersBeforeTheDeadline() throws {
        let rig = try ReliabilityRig(timeoutSeconds: Self.timeoutSeconds)
        defer { rig.stop() }
        let warm = try rig.emulator.invoke(#"{"action":"produce","topic":"sluggish","records":[{"value":"a"}]}"#)
        try #require(warm.functionError == nil, "\(warm.text.prefix(300))")
        for broker in 1...3 { try rig.cluster.command("rtt \(broker) 20000") }
        let result = try answeredInTime(rig, #"{"action":"consume","topic":"sluggish","max_records":100000,"timeout_ms":900000}"#)
        try expectPartialResultOrStructuredError(result)
    }

    /// A leader that stops answering (while the other brokers answer metadata) must not hold the
    /// offsets lookup, which both the offsets action and a consume make, past the deadline.
    @Test func offsetsAndAConsumeWithASlowPartitionLeaderAnswerBeforeTheDeadline() throws {
        let rig = try ReliabilityRig(timeoutSeconds: Self.timeoutSeconds)
        defer { rig.stop() }
        try rig.cluster.command("create-topic slowleader 1 3")
        try rig.cluster.command("leader slowleader 0 1")
        let warm = try rig.emulator.invoke(#"{"action":"offsets","topic":"slowleader"}"#)
        try #require(warm.functionError == nil, "\(warm.text.prefix(300))")
        try rig.cluster.command("rtt 1 20000")
        // Metadata may go to any broker: two lookups make it likely one reaches a fast one and
        // then waits on the slow leader, which is the case that used to overrun.
        for _ in 0..<2 {
            let result = try answeredInTime(rig, #"{"action":"offsets","topic":"slowleader"}"#)
            let errorType = try result.jsonObject()["errorType"] as? String
            #expect(["Function.KafkaTimeout", "Function.KafkaError"].contains(errorType), "\(result.text.prefix(300))")
        }
        let consume = try answeredInTime(rig, #"{"action":"consume","topic":"slowleader","timeout_ms":900000}"#)
        try expectPartialResultOrStructuredError(consume)
    }

    /// Invokes `event`, checks the answer came in time and the bootstrap was not killed, and
    /// prints how long it ran.
    func answeredInTime(_ rig: ReliabilityRig, _ event: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> InvokeResult {
        let started = Date()
        let result = try rig.emulator.invoke(event)
        let wallMs = Date().timeIntervalSince(started) * 1000
        let ranMs = try rig.reportedDuration(of: result)
        let timeoutMs = Self.timeoutSeconds * 1000
        print("deadline: event=\(event.prefix(60)) ran_ms=\(Int(ranMs)) wall_ms=\(Int(wallMs)) timeout_ms=\(Int(timeoutMs))")
        #expect(!result.text.contains("Task timed out"), "\(result.text.prefix(300))", sourceLocation: sourceLocation)
        #expect(ranMs <= timeoutMs - Self.requiredHeadroomMs, "ran \(ranMs) ms of \(timeoutMs)", sourceLocation: sourceLocation)
        // The caller's own clock agrees (it includes the HTTP round trips, so it can only be longer).
        #expect(wallMs < timeoutMs + 2000, sourceLocation: sourceLocation)
        #expect(try rig.emulator.status()["restarts"] as? Int == 0, sourceLocation: sourceLocation)
        return result
    }

    func expectPartialResultOrStructuredError(_ result: InvokeResult, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let body = try result.jsonObject()
        if result.functionError == nil {
            #expect(body["action"] as? String == "consume", sourceLocation: sourceLocation)
            #expect(body["count"] is Int, sourceLocation: sourceLocation)
        } else {
            let errorType = body["errorType"] as? String
            #expect(["Function.KafkaTimeout", "Function.KafkaError"].contains(errorType), "\(result.text.prefix(300))", sourceLocation: sourceLocation)
        }
    }
}
