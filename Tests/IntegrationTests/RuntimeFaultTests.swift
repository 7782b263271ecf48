import Foundation
import TestSupport
import Testing

@Suite(.offCooperativePool, .serialized) struct RuntimeFaultTests {
    @Test func aCrashedBootstrapIsRestartedAndServesTheNextInvocation() throws {
        let emulator = try diagnosticEmulator()
        defer { emulator.stop() }
        _ = try emulator.invocationContext()
        let firstPID = try emulator.bootstrapPID()

        let crash = try emulator.invoke(#"{"action":"diagnostic.crash"}"#)
        #expect(crash.functionError != nil)
        #expect(emulator.waitForStandardError { $0.contains("exited: exit status 3") })

        let (result, context) = try emulator.invocationContext()
        #expect(context["requestId"] as? String == result.requestID)
        #expect(try emulator.bootstrapPID() != firstPID)
        #expect(try emulator.restarts() == 1)
    }

    @Test func anOversizeResponseIsAnErrorAndTheProcessCarriesOn() throws {
        let emulator = try diagnosticEmulator()
        defer { emulator.stop() }
        let oneMegabyte = try emulator.invoke(#"{"action":"diagnostic.oversize","bytes":1048576}"#)
        #expect(oneMegabyte.functionError == nil)
        #expect(oneMegabyte.body.count == 1_048_576)
        let pid = try emulator.bootstrapPID()

        let oversize = try emulator.invoke(#"{"action":"diagnostic.oversize","bytes":7340032}"#)
        #expect(oversize.functionError == "Unhandled")
        #expect(try oversize.jsonObject()["errorType"] as? String == "Function.ResponseSizeTooLarge")

        _ = try emulator.invocationContext()
        #expect(try emulator.bootstrapPID() == pid)
        #expect(try emulator.restarts() == 0)
    }

    @Test func a413OnResponseIsPostedAsResponseSizeTooLarge() throws {
        let emulator = try diagnosticEmulator()
        defer { emulator.stop() }
        _ = try emulator.invocationContext()
        try emulator.armFaults(#"{"response_status":413,"count":1}"#)
        let rejected = try emulator.invoke(#"{"action":"diagnostic.context"}"#)
        #expect(rejected.functionError == "Unhandled")
        let body = try rejected.jsonObject()
        #expect(body["errorType"] as? String == "Function.ResponseSizeTooLarge")
        // The runtime's own error body (the emulator did not see an oversize body).
        #expect((body["errorMessage"] as? String)?.contains("bytes exceeds") == true)
        _ = try emulator.invocationContext()
        #expect(try emulator.restarts() == 0)
    }

    @Test func a500OnResponseIsLoggedAndTheLoopGoesOn() throws {
        let emulator = try diagnosticEmulator(timeoutSeconds: 2)
        defer { emulator.stop() }
        _ = try emulator.invocationContext()
        try emulator.armFaults(#"{"response_status":500,"count":1}"#)
        // The emulator keeps that invocation open until its timeout; the runtime has moved on.
        let lost = try emulator.invoke(#"{"action":"diagnostic.context"}"#)
        #expect(lost.functionError != nil)
        #expect(emulator.waitForStandardError { $0.contains("HTTP 500 on response") })
        _ = try emulator.invocationContext()
        #expect(!emulator.standardError.contains("Runtime exiting"))
    }

    @Test func malformedEventsAreAnsweredWithAnErrorAndTheNextEventWorks() throws {
        let emulator = try diagnosticEmulator()
        defer { emulator.stop() }
        for malformed in ["{not json", "", "\u{00}\u{FF}", "[1,2", #"{"action":"diagnostic.unknown"}"#] {
            let result = try emulator.invoke(Data(malformed.utf8))
            #expect(result.functionError == "Unhandled", "event \(malformed.debugDescription)")
            let errorType = try result.jsonObject()["errorType"] as? String
            #expect(errorType?.hasPrefix("Function.") == true)
        }
        let pid = try emulator.bootstrapPID()
        _ = try emulator.invocationContext()
        #expect(try emulator.bootstrapPID() == pid)
        #expect(try emulator.restarts() == 0)
    }

    @Test func aTimedOutInvocationIsAnsweredAndTheNextOneServed() throws {
        let emulator = try diagnosticEmulator(timeoutSeconds: 1)
        defer { emulator.stop() }
        let started = Date()
        let result = try emulator.invoke(#"{"action":"diagnostic.sleep","ms":30000}"#)
        #expect(Date().timeIntervalSince(started) < 25, "the caller did not wait for the handler")
        #expect(result.functionError != nil)
        #expect(result.text.contains("Task timed out after"))
        let (slept, _) = try emulator.invocationContext()
        #expect(slept.functionError == nil)
        let short = try emulator.invoke(#"{"action":"diagnostic.sleep","ms":10}"#)
        #expect(short.text == #"{"slept":10}"#)
    }
}
