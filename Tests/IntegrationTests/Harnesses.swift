import Foundation
import Testing
import TestSupport

/// The test-only `diagnostic-bootstrap` (the product's handler plus the `diagnostic.*` actions).
let diagnosticBootstrap = BuiltProducts.path(of: "diagnostic-bootstrap")

/// The diagnostic bootstrap under the real emulator. Kafka clients are created on first use
/// only, so the endpoint (the discard port) is never contacted.
func diagnosticEmulator(environment: [String: String] = [:], timeoutSeconds: Double? = nil) throws -> EmulatorHarness {
    try EmulatorHarness(
        bootstrap: diagnosticBootstrap,
        environment: environment.merging(["KAFKA_ENDPOINT": "127.0.0.1:9"]) { current, _ in current },
        timeoutSeconds: timeoutSeconds)
}

extension EmulatorHarness {
    func bootstrapPID() throws -> Int {
        guard let pid = try status()["bootstrap_pid"] as? Int else {
            throw EmulatorHarnessError("no bootstrap is running: \(standardError)")
        }
        return pid
    }

    func restarts() throws -> Int {
        try status()["restarts"] as? Int ?? -1
    }

    /// `diagnostic.context`, answered successfully, as a JSON object.
    func invocationContext(headers: [String: String] = [:]) throws -> (result: InvokeResult, context: [String: Any]) {
        let result = try invoke(#"{"action":"diagnostic.context"}"#, headers: headers)
        guard result.status == 200, result.functionError == nil else {
            throw EmulatorHarnessError("diagnostic.context failed: \(result.status) \(result.text)")
        }
        return (result, try result.jsonObject())
    }
}

extension EmulatorHarness {
    /// The run time the emulator logged for `result` (`END RequestId: ... Duration: N ms`), which
    /// is what Lambda bills and what the deadline bounds.
    func reportedDurationMs(of result: InvokeResult) throws -> Double {
        guard let requestID = result.requestID else { throw EmulatorHarnessError("the answer has no request id") }
        let marker = "END RequestId: \(requestID) Duration: "
        waitForStandardError(timeout: 10) { $0.contains(marker) }
        guard let line = standardError.split(separator: "\n").first(where: { $0.contains(marker) }),
            let range = line.range(of: marker),
            let milliseconds = Double(line[range.upperBound...].prefix { $0.isNumber || $0 == "." })
        else {
            throw EmulatorHarnessError("no END line for \(requestID) in the emulator's log")
        }
        return milliseconds
    }

    /// Invokes `event` on a function with a timeout of `deadlineSeconds` and checks that the function
    /// itself answered with an error at least 200 ms before the deadline, not the emulator's
    /// "Task timed out" after it.
    func invokeFailingBeforeDeadline(
        _ event: String, deadlineSeconds: Int, timeout: TimeInterval, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> InvokeResult {
        let started = Date()
        let result = try invoke(event, timeout: timeout)
        let elapsed = Date().timeIntervalSince(started)
        #expect(!result.text.contains("Task timed out"), "\(result.text)", sourceLocation: sourceLocation)
        #expect(try reportedDurationMs(of: result) <= Double(deadlineSeconds * 1000 - 200), sourceLocation: sourceLocation)
        #expect(elapsed < Double(deadlineSeconds + 2), "answered near the \(deadlineSeconds) s deadline, not later (took \(elapsed) s)",
                sourceLocation: sourceLocation)
        #expect(result.functionError == "Unhandled", "\(result.text)", sourceLocation: sourceLocation)
        return result
    }
}
