import Foundation
import TestSupport
import Testing

@Suite(.offCooperativePool, .serialized) struct RuntimeLoggingTests {
    /// The bootstrap's JSON lines among the emulator's own (which start with `lambda-emulator:`).
    func jsonLines(_ stderr: String) -> [[String: Any]] {
        stderr.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("{") else { return nil }
            return try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        }
    }

    @Test func jsonLogLinesCarryTheRequestIDAndHonourTheLevel() throws {
        let emulator = try diagnosticEmulator(environment: [
            "AWS_LAMBDA_LOG_FORMAT": "JSON", "AWS_LAMBDA_LOG_LEVEL": "WARN",
        ])
        defer { emulator.stop() }
        let message = "produced \"3\" records\nto orders\t✓"
        let event = try JSONSerialization.data(withJSONObject: ["action": "diagnostic.log", "message": message])
        let result = try emulator.invoke(event)
        #expect(result.functionError == nil)
        let requestID = try #require(result.requestID)

        emulator.waitForStandardError { jsonLines($0).filter { $0["message"] as? String == message }.count >= 3 }
        let logged = jsonLines(emulator.standardError).filter { $0["message"] as? String == message }
        #expect(logged.compactMap { $0["level"] as? String } == ["WARN", "ERROR", "FATAL"])
        for line in logged {
            #expect(line["requestId"] as? String == requestID)
            let timestamp = try #require(line["timestamp"] as? String)
            #expect(ISO8601DateFormatter.withMilliseconds.date(from: timestamp) != nil, "\(timestamp)")
        }
    }

    @Test func everyLineOfAFailedInvocationCarriesItsRequestID() throws {
        let emulator = try diagnosticEmulator(environment: ["AWS_LAMBDA_LOG_FORMAT": "JSON"])
        defer { emulator.stop() }
        let result = try emulator.invoke(#"{"action":"diagnostic.error","errorType":"Function.Failed","errorMessage":"x"}"#)
        let requestID = try #require(result.requestID)
        emulator.waitForStandardError { $0.contains("Invocation failed") }
        let failures = jsonLines(emulator.standardError).filter {
            ($0["message"] as? String)?.hasPrefix("Invocation failed") == true
        }
        #expect(failures.count == 1)
        #expect(failures.first?["requestId"] as? String == requestID)
        #expect(failures.first?["level"] as? String == "ERROR")
    }

    @Test func textLogLinesCarryTheRequestID() throws {
        let emulator = try diagnosticEmulator()
        defer { emulator.stop() }
        let result = try emulator.invoke(#"{"action":"diagnostic.log","message":"text-format-marker"}"#)
        let requestID = try #require(result.requestID)
        emulator.waitForStandardError { $0.contains("FATAL \(requestID) text-format-marker") }
        let lines = emulator.standardError.split(separator: "\n").filter { $0.hasSuffix("text-format-marker") }
        // Default level INFO: notice maps to INFO too, so INFO twice, then WARN, ERROR, FATAL.
        #expect(lines.count == 5)
        for line in lines {
            #expect(line.contains(" \(requestID) text-format-marker"))
        }
    }
}

extension ISO8601DateFormatter {
    static var withMilliseconds: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}
