import Foundation
import TestSupport
import Testing

/// Produces from concurrent invocations (`AWS_LAMBDA_MAX_CONCURRENCY`) wait for their
/// acknowledgements in parallel on the shared producer, rather than one after another.
@Suite(.offCooperativePool, .serialized, .tags(.slow), .onlyInSlowStep) struct ConcurrentProduceOverlapTests {
    static let concurrency = 4
    static let roundTripMs = 300

    @Test func fourProducesWithARoundTripEachTakeFarLessThanFourRoundTrips() throws {
        let rig = try ReliabilityRig(timeoutSeconds: 60, environment: ["AWS_LAMBDA_MAX_CONCURRENCY": String(Self.concurrency)])
        defer { rig.stop() }
        let (cluster, emulator) = (rig.cluster, rig.emulator)
        let topic = "overlap-\(UUID().uuidString.prefix(8).lowercased())"
        func event(_ value: String) -> String {
            #"{"action":"produce","topic":"\#(topic)","records":[{"key":"\#(value)","value":"\#(value)"}]}"#
        }
        // Warm, before the latency: the producer exists, has its connections and knows the topic.
        for answer in try ConcurrentInvocationTests.invokeAtOnce(emulator, (0..<Self.concurrency).map { event("warm-\($0)") }) {
            try #require(answer.functionError == nil, "\(answer.text.prefix(500))")
        }
        for broker in 1...3 { try cluster.command("rtt \(broker) \(Self.roundTripMs)") }

        // One alone takes at least a round trip (the latency is in effect).
        let clock = ContinuousClock()
        let alone = try clock.measure {
            let answer = try emulator.invoke(event("alone"))
            try #require(answer.functionError == nil, "\(answer.text.prefix(500))")
        }
        #expect(alone >= .milliseconds(Self.roundTripMs))

        let values = (0..<Self.concurrency).map { "together-\($0)" }
        var answers: [InvokeResult] = []
        let together = try clock.measure {
            answers = try ConcurrentInvocationTests.invokeAtOnce(emulator, values.map(event))
        }
        // In turns they would take four round trips; in parallel about one (generous for busy machines).
        #expect(together < .milliseconds(Self.roundTripMs * 5 / 2), "4 concurrent produces took \(together)")
        for broker in 1...3 { try cluster.command("rtt \(broker) 0") }

        var positions: [LogPosition: String] = [:]
        for (index, answer) in answers.enumerated() {
            try #require(answer.functionError == nil, "\(answer.text.prefix(500))")
            let body = try answer.jsonObject()
            #expect(body.int("delivered") == 1 && body.int("failed") == 0)
            let position = try #require(body.objects("records").first.flatMap(LogPosition.init))
            #expect(positions[position] == nil, "two answers name \(position)")
            positions[position] = values[index]
        }
        // Each answer's position holds that invocation's own record.
        let consumed = try emulator.invoke(#"{"action":"consume","topic":"\#(topic)","max_records":100,"timeout_ms":20000}"#)
        try #require(consumed.functionError == nil, "\(consumed.text.prefix(500))")
        var stored: [LogPosition: String] = [:]
        for record in try consumed.jsonObject().objects("records") {
            if let position = LogPosition(record), let value = record.string("value") { stored[position] = value }
        }
        #expect(positions.count == Self.concurrency)
        for (position, value) in positions {
            #expect(stored[position] == value, "answer for \(value) names \(position)")
        }
    }
}
