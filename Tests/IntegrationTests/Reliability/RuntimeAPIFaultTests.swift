import Foundation
import TestSupport
import Testing

/// The runtime loop against a Runtime API that is slow, loses answers, or is not there.
@Suite(.offCooperativePool, .serialized, .tags(.slow), .onlyInSlowStep) struct RuntimeAPIFaultTests {
    /// More CPU than this over the waiting window means the runtime polls instead of sleeping.
    static let idleCPUBoundSeconds = 0.3

    @Test func aSlowNextIsWaitedForWithoutRetriesOrBusyWaiting() throws {
        let emulator = try diagnosticEmulator()
        defer { emulator.stop() }
        _ = try emulator.invocationContext()
        let pid = try emulator.bootstrapPID()

        try emulator.armFaults(#"{"next_delay_ms":2500,"count":1}"#)
        let cpuBefore = try requireValue(ProcessCPUTime.seconds(of: Int32(pid)), "no /proc entry for \(pid)")
        let (result, context) = try emulator.invocationContext()
        let cpuUsed = try requireValue(ProcessCPUTime.seconds(of: Int32(pid)), "bootstrap gone") - cpuBefore
        print("runtime-api: slow next (2500 ms) served; bootstrap CPU while waiting \(cpuUsed) s")

        #expect(context["requestId"] as? String == result.requestID)
        #expect(emulator.waitForStandardError { $0.contains("fault: delaying the answer to next by 2500 ms") })
        #expect(cpuUsed < Self.idleCPUBoundSeconds)
        _ = try emulator.invocationContext()
        #expect(try emulator.bootstrapPID() == pid)
        #expect(try emulator.restarts() == 0)
        #expect(!emulator.standardError.contains("Retrying next invocation"))
        #expect(!emulator.standardError.contains("Runtime exiting"))
    }

    @Test func a500OnTheResponseIsLoggedAndTheNextInvocationIsRequested() throws {
        let port = try OneShotRuntimeAPI.unusedPort()
        let api = try OneShotRuntimeAPI(
            port: port, event: #"{"action":"diagnostic.context"}"#, answerStatus: "500 Internal Server Error")
        defer { api.stop() }
        let bootstrap = try Self.startBootstrap(runtimeAPIPort: port)
        // Started from a test thread that blocks SIGTERM, it inherits that mask: SIGKILL at once.
        defer { bootstrap.stop(grace: 0) }

        let answer = try requireValue(api.waitForAnswer(timeout: 20), "no answer posted; stderr: \(bootstrap.standardError)")
        #expect(answer.kind == "response")
        #expect(api.waitForNextAfterAnswer(timeout: 10), "the runtime did not ask for the next invocation")
        #expect(bootstrap.waitForStandardError { $0.contains("HTTP 500 on response") }, "\(bootstrap.standardError.suffix(1500))")
        let stderr = bootstrap.standardError
        #expect(!stderr.contains("Runtime exiting"), "a lost answer is not a reason to exit")
    }

    @Test func aRuntimeAPIThatIsNotThereYetIsRetriedQuietlyThenServedThenGivenUpOn() throws {
        let port = try OneShotRuntimeAPI.unusedPort()
        let bootstrap = try Self.startBootstrap(runtimeAPIPort: port)
        // Started from a test thread that blocks SIGTERM, it inherits that mask: SIGKILL at once.
        defer { bootstrap.stop(grace: 0) }
        let pid = bootstrap.process.processIdentifier

        // Nothing listens: the runtime retries with a capped backoff, sleeping in between.
        Thread.sleep(forTimeInterval: 0.5)
        let cpuBefore = try requireValue(ProcessCPUTime.seconds(of: pid), "bootstrap exited early: \(bootstrap.standardError)")
        Thread.sleep(forTimeInterval: 3)
        let cpuUsed = try requireValue(ProcessCPUTime.seconds(of: pid), "bootstrap exited early: \(bootstrap.standardError)") - cpuBefore
        print("runtime-api: next refused for 3 s; bootstrap CPU \(cpuUsed) s")
        #expect(cpuUsed < Self.idleCPUBoundSeconds)
        #expect(bootstrap.process.isRunning)
        #expect(bootstrap.waitForStandardError { $0.contains("Retrying next invocation") })

        // The API appears: the pending retry reaches it and the invocation is served.
        let api = try OneShotRuntimeAPI(port: port, event: #"{"action":"diagnostic.context"}"#)
        defer { api.stop() }
        let answer = try requireValue(api.waitForAnswer(timeout: 10), "no answer posted; stderr: \(bootstrap.standardError)")
        #expect(answer.kind == "response")
        let context = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any]
        #expect(context?["requestId"] as? String == api.requestID)

        // It goes away for good: after 20 consecutive failures the runtime exits, saying why.
        #expect(api.waitForNextAfterAnswer(timeout: 10))
        let started = Date()
        let status = try bootstrap.waitForExit(timeout: 45)
        print("runtime-api: gave up \(Int(Date().timeIntervalSince(started) * 1000)) ms after the API went away")
        #expect(status == 1)
        let stderr = bootstrap.standardError
        #expect(stderr.contains("Runtime exiting: cannot get the next invocation after 20 attempts"), "\(stderr.suffix(1500))")
        let delays = Self.loggedRetryDelays(stderr)
        #expect(!delays.isEmpty)
        #expect(delays.allSatisfy { $0 >= 10 && $0 <= 1000 }, "retry delays \(delays)")
    }

    /// The diagnostic bootstrap, started directly (no emulator) against `127.0.0.1:<port>`.
    static func startBootstrap(runtimeAPIPort port: UInt16) throws -> ChildProcess {
        var environment = ProcessInfo.processInfo.environment
        environment["LAMBDA_EMULATOR_PATH"] = nil
        environment["AWS_LAMBDA_RUNTIME_API"] = "127.0.0.1:\(port)"
        environment["KAFKA_ENDPOINT"] = "127.0.0.1:9"
        return try ChildProcess(executable: diagnosticBootstrap, environment: environment)
    }

    /// The `N` of every "Retrying next invocation in N ms" line.
    static func loggedRetryDelays(_ log: String) -> [Int] {
        log.split(separator: "\n").compactMap { line in
            guard let range = line.range(of: "Retrying next invocation in ") else { return nil }
            return Int(line[range.upperBound...].prefix { $0.isNumber })
        }
    }
}
