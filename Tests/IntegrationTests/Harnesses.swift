import Foundation
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
