import Foundation
import TestSupport
import Testing

/// SIGTERM through the real emulator and bootstrap: an invocation in flight finishes and is
/// answered, what it acknowledged is in the log, and the process exits 0.
@Suite(.offCooperativePool, .serialized) struct GracefulShutdownTests {
    @Test func sigtermDuringAProduceLetsItFinishThenExitsZero() throws {
        let cluster = try LocalKafkaCluster(brokers: 1)
        defer {
            cluster.process.closeStandardInput()
            cluster.process.stop()
        }
        let emulator = try EmulatorHarness(environment: [
            "KAFKA_ENDPOINT": cluster.bootstrapServers, "LAMBDA_RUNTIME_SHUTDOWN_GRACE_MS": "10000",
        ], timeoutSeconds: 60)
        defer { emulator.stop() }
        let topic = "sigterm-\(UUID().uuidString.prefix(8).lowercased())"
        let records = (0..<20).map { #"{"key":"k","value":"record-\#($0)","partition":0}"# }.joined(separator: ",")
        let event = #"{"action":"produce","topic":"\#(topic)","records":[\#(records)]}"#
        let warm = try emulator.invoke(event)
        try #require(warm.functionError == nil, "\(warm.text)")
        let pid = try emulator.bootstrapPID()

        // Slow acknowledgements, so the next produce is in flight when SIGTERM comes.
        try cluster.command("rtt 1 1500")
        let answer = AnswerSlots(count: 1)
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            answer.set(0, Result { try emulator.invoke(event) })
            done.signal()
        }
        #expect(emulator.waitForStandardError { $0.components(separatedBy: "START RequestId").count == 3 })
        #expect(kill(pid_t(pid), SIGTERM) == 0)
        #expect(done.wait(timeout: .now() + 60) == .success)
        let result = try #require(try answer.all().first)
        #expect(result.functionError == nil, "\(result.text)")
        let body = try result.jsonObject()
        #expect(body.int("delivered") == 20 && body.int("failed") == 0)
        #expect(emulator.waitForStandardError { $0.contains("bootstrap (pid \(pid)) exited: exit status 0") },
                "\(emulator.standardError.suffix(3000))")
        #expect(emulator.standardError.contains("SIGTERM: stopping"))

        // Every acknowledged record is there, at the offset its answer named.
        try cluster.command("rtt 1 0")
        let positions = [warm, result].flatMap { answer in
            ((try? answer.jsonObject())?.objects("records") ?? []).compactMap(LogPosition.init)
        }
        #expect(positions.count == 40)
        let consumed = try emulator.invoke(#"{"action":"consume","topic":"\#(topic)","max_records":1000,"timeout_ms":10000}"#)
        try #require(consumed.functionError == nil, "\(consumed.text)")
        let stored = Set(try consumed.jsonObject().objects("records").compactMap(LogPosition.init))
        #expect(Set(positions).isSubset(of: stored))
        #expect(stored.count == 40)
    }
}

@Suite(.offCooperativePool) struct ShutdownExtensionTests {
    /// Registered on request, the no-op extension lets invocations run as usual, and the SIGTERM
    /// the emulator sends when it stops ends the bootstrap with status 0.
    @Test func theNoOpExtensionRegistersAndSigtermEndsTheBootstrapCleanly() throws {
        let emulator = try diagnosticEmulator(environment: ["LAMBDA_RUNTIME_SHUTDOWN_EXTENSION": "1"])
        let (result, context) = try emulator.invocationContext()
        #expect(context["requestId"] as? String == result.requestID)
        #expect(emulator.waitForStandardError { $0.contains("extension registered: swift-lambda-kafka-shutdown") })
        let pid = try emulator.bootstrapPID()
        emulator.stop()
        #expect(emulator.waitForStandardError { $0.contains("bootstrap (pid \(pid)) exited: exit status 0") },
                "\(emulator.standardError.suffix(2000))")
    }
}
