import Foundation
import TestSupport
import Testing

/// `AWS_LAMBDA_MAX_CONCURRENCY` through the real emulator and bootstrap: several invocations in
/// flight on one process, each with its own request id, deadline, logs and answer.
@Suite(.offCooperativePool, .serialized) struct ConcurrentInvocationTests {
    static let concurrency = 4

    /// Runs `count` invocations at once and returns their answers, in the order of `events`.
    static func invokeAtOnce(_ emulator: EmulatorHarness, _ events: [String], headers: [String: String] = [:]) throws -> [InvokeResult] {
        // One thread per invocation: concurrentPerform would use only as many as there are cores.
        let answers = AnswerSlots(count: events.count)
        let group = DispatchGroup()
        for index in events.indices {
            group.enter()
            Thread {
                answers.set(index, Result { try emulator.invoke(events[index], headers: headers) })
                group.leave()
            }.start()
        }
        group.wait()
        return try answers.all()
    }

    @Test func invocationsOverlapOnOneProcessEachWithItsOwnRequestID() throws {
        let emulator = try diagnosticEmulator(environment: ["AWS_LAMBDA_MAX_CONCURRENCY": String(Self.concurrency)])
        defer { emulator.stop() }
        let pid = try emulator.bootstrapPID()
        let events = (0..<Self.concurrency).map { _ in #"{"action":"diagnostic.sleep","ms":1500}"# }
        let answers = try Self.invokeAtOnce(emulator, events)
        let requestIDs = answers.compactMap(\.requestID)
        #expect(answers.allSatisfy { $0.status == 200 && $0.functionError == nil }, "\(answers.map(\.text))")
        #expect(Set(requestIDs).count == Self.concurrency)
        #expect(try emulator.bootstrapPID() == pid)

        // In flight together: every START came before the first END (one at a time, each END
        // would come before the next START).
        #expect(emulator.waitForStandardError { log in requestIDs.allSatisfy { log.contains("END RequestId: \($0)") } })
        let lines = emulator.standardError.split(separator: "\n")
        let starts = requestIDs.compactMap { id in lines.firstIndex { $0.contains("START RequestId: \(id)") } }
        let ends = requestIDs.compactMap { id in lines.firstIndex { $0.contains("END RequestId: \(id)") } }
        try #require(starts.count == Self.concurrency && ends.count == Self.concurrency, "\(emulator.standardError)")
        #expect(starts.max()! < ends.min()!, "\(lines.joined(separator: "\n"))")
    }

    @Test func eachInvocationSeesItsOwnContextAndLogsWithItsOwnRequestID() throws {
        let emulator = try diagnosticEmulator(environment: ["AWS_LAMBDA_MAX_CONCURRENCY": String(Self.concurrency)])
        defer { emulator.stop() }
        let rounds = 5
        for round in 0..<rounds {
            let markers = (0..<Self.concurrency * 2).map { "marker-\(round)-\($0)-\(UUID().uuidString.prefix(8))" }
            let events = markers.enumerated().map { index, marker in
                index.isMultiple(of: 2)
                    ? #"{"action":"diagnostic.log-plain","message":"\#(marker)"}"#
                    : #"{"action":"diagnostic.context","message":"\#(marker)"}"#
            }
            let answers = try Self.invokeAtOnce(emulator, events)
            for (index, answer) in answers.enumerated() {
                let requestID = try #require(answer.requestID)
                #expect(answer.functionError == nil, "\(answer.text)")
                if index.isMultiple(of: 2) {
                    // The plain logger carries no request id itself: the line must name this invocation's.
                    #expect(emulator.waitForStandardError { $0.contains(markers[index]) })
                    let line = emulator.standardError.split(separator: "\n").first { $0.contains(markers[index]) }
                    #expect(line?.contains(" \(requestID) ") == true, "\(line ?? "no line")")
                } else {
                    let context = try answer.jsonObject()
                    #expect(context["requestId"] as? String == requestID)
                    let remaining = try #require(context["remainingMs"] as? Int)
                    #expect(remaining > 0)
                    // `_X_AMZN_TRACE_ID` is process-wide: concurrent loops leave it alone.
                    #expect(context["traceIdEnvironment"] == nil)
                }
            }
        }
    }

    @Test func aTimedOutInvocationDoesNotTakeTheOthersAnswers() throws {
        let emulator = try diagnosticEmulator(
            environment: ["AWS_LAMBDA_MAX_CONCURRENCY": "2"], timeoutSeconds: 3)
        defer { emulator.stop() }
        let answers = try Self.invokeAtOnce(emulator, [
            #"{"action":"diagnostic.sleep","ms":60000}"#,
            #"{"action":"diagnostic.context"}"#,
        ])
        let timedOut = try answers[0].jsonObject()
        #expect(answers[0].functionError == "Unhandled")
        #expect(timedOut["errorType"] as? String == "Runtime.Timeout")
        #expect(answers[1].functionError == nil, "\(answers[1].text)")
        #expect(try answers[1].jsonObject()["requestId"] as? String == answers[1].requestID)
        // The emulator restarts the killed bootstrap for what comes next.
        let (result, context) = try emulator.invocationContext()
        #expect(context["requestId"] as? String == result.requestID)
    }

    @Test func tenantIDReachesTheFunctionAndInitDurationIsReportedOnce() throws {
        let emulator = try diagnosticEmulator()
        defer { emulator.stop() }
        let (first, context) = try emulator.invocationContext(headers: ["X-Amz-Tenant-Id": "blue"])
        #expect(context["tenantId"] as? String == "blue")
        let (second, other) = try emulator.invocationContext()
        #expect(other["tenantId"] == nil)
        let firstID = try #require(first.requestID)
        let secondID = try #require(second.requestID)
        #expect(emulator.waitForStandardError { $0.contains("REPORT RequestId: \(secondID)") })
        let reports = emulator.standardError.split(separator: "\n").filter { $0.contains("REPORT RequestId: ") }
        let firstReport = try #require(reports.first { $0.contains(firstID) })
        let secondReport = try #require(reports.first { $0.contains(secondID) })
        #expect(firstReport.contains("\tInit Duration: "), "\(firstReport)")
        #expect(firstReport.contains("\tBilled Duration: "))
        #expect(!secondReport.contains("Init Duration"), "\(secondReport)")

        let refused = try emulator.invoke(#"{"action":"diagnostic.context"}"#, headers: ["X-Amz-Tenant-Id": String(repeating: "t", count: 300)])
        #expect(refused.status == 400)
    }

    @Test func anInvalidConcurrencyStopsTheBootstrapNamingTheVariable() throws {
        let emulator = try diagnosticEmulator(environment: ["AWS_LAMBDA_MAX_CONCURRENCY": "many"])
        defer { emulator.stop() }
        let result = try emulator.invoke(#"{"action":"diagnostic.context"}"#)
        #expect(result.functionError == "Unhandled")
        #expect(emulator.waitForStandardError { $0.contains("AWS_LAMBDA_MAX_CONCURRENCY must be an integer") })
    }
}

/// Answers filled in from several threads.
final class AnswerSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<InvokeResult, any Error>?]

    init(count: Int) {
        slots = Array(repeating: nil, count: count)
    }

    func set(_ index: Int, _ result: Result<InvokeResult, any Error>) {
        lock.lock()
        defer { lock.unlock() }
        slots[index] = result
    }

    func all() throws -> [InvokeResult] {
        lock.lock()
        defer { lock.unlock() }
        return try slots.map { slot in
            guard let slot else { throw EmulatorHarnessError("an invocation never answered") }
            return try slot.get()
        }
    }
}
