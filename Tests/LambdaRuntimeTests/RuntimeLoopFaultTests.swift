import Testing

@testable import LambdaRuntime

/// The run loop in-process when the Runtime API fails: which failures it retries (and with which
/// pauses, recorded instead of waited), which end the process, which lose one answer only.
@Suite struct RuntimeLoopFaultTests {
    private static func echo() -> ScriptedHandler { ScriptedHandler { event, _ in event } }

    @Test func transientNextFailuresAreRetriedWithDoublingPauses() throws {
        let api = FakeRuntimeAPI(script: [
            .failure(FakeRuntimeAPI.refused), .failure(FakeRuntimeAPI.unavailable), .failure(FakeRuntimeAPI.unavailable),
            .success(FakeRuntimeAPI.invocation("req-1", event: "late")),
        ])
        let pauses = PauseLog()
        var loop = RuntimeLoop.testing(Self.echo(), client: api, pauses: pauses)

        try loop.serveNextInvocation()

        #expect(pauses.delays == [.milliseconds(10), .milliseconds(20), .milliseconds(40)])
        #expect(api.nextCalls == 4)
        #expect(api.posts == [.response(requestID: "req-1", body: "late")])
    }

    @Test func nextFailingTwentyTimesInARowIsFatal() throws {
        let failures = Array(repeating: Result<Invocation, RuntimeAPIError>.failure(FakeRuntimeAPI.unavailable), count: 25)
        let api = FakeRuntimeAPI(script: failures)
        let pauses = PauseLog()
        var loop = RuntimeLoop.testing(Self.echo(), client: api, pauses: pauses)

        let error = try #require(throws: RuntimeFatalError.self) { try loop.serveNextInvocation() }

        #expect(api.nextCalls == RuntimeLoop<ScriptedHandler>.maximumConsecutiveNextFailures)
        #expect(error.reason.contains("after 20 attempts"))
        #expect(error.reason.contains("HTTP 503"))
        // One pause between attempts, doubling from 10 ms and capped at 1 s.
        #expect(pauses.delays.count == 19)
        #expect(Array(pauses.delays.prefix(8)) == [10, 20, 40, 80, 160, 320, 640, 1000].map { Duration.milliseconds($0) })
        #expect(pauses.delays.allSatisfy { $0 <= .seconds(1) })
        #expect(api.posts.isEmpty)
    }

    @Test func backoffStartsAgainAfterASuccessfulNext() throws {
        let api = FakeRuntimeAPI(script: [
            .failure(FakeRuntimeAPI.unavailable), .failure(FakeRuntimeAPI.unavailable),
            .success(FakeRuntimeAPI.invocation("req-1", event: "a")),
            .failure(FakeRuntimeAPI.unavailable),
            .success(FakeRuntimeAPI.invocation("req-2", event: "b")),
        ])
        let pauses = PauseLog()
        var loop = RuntimeLoop.testing(Self.echo(), client: api, pauses: pauses)

        try loop.serveNextInvocation()
        try loop.serveNextInvocation()

        #expect(pauses.delays == [.milliseconds(10), .milliseconds(20), .milliseconds(10)])
        #expect(api.posts.count == 2)
    }

    @Test(arguments: [
        RuntimeAPIError.unexpectedStatus(path: "/invocation/next", status: 403, body: "forbidden"),
        RuntimeAPIError.malformedInvocation("no Lambda-Runtime-Aws-Request-Id header"),
    ])
    func aNextFailureThatIsNotTransientIsFatalAtOnce(failure: RuntimeAPIError) throws {
        let api = FakeRuntimeAPI(script: [.failure(failure), .success(FakeRuntimeAPI.invocation("never", event: ""))])
        let pauses = PauseLog()
        var loop = RuntimeLoop.testing(Self.echo(), client: api, pauses: pauses)

        let error = try #require(throws: RuntimeFatalError.self) { try loop.serveNextInvocation() }

        #expect(error.reason.hasPrefix("cannot get the next invocation: "))
        #expect(api.nextCalls == 1)
        #expect(pauses.delays.isEmpty)
    }

    @Test func aResponsePostThatCannotReachTheAPIIsFatal() throws {
        let api = FakeRuntimeAPI(script: [.success(FakeRuntimeAPI.invocation("req-1", event: "x"))])
        api.responseOutcomes = [.failure(FakeRuntimeAPI.refused)]
        var loop = RuntimeLoop.testing(Self.echo(), client: api)

        let error = try #require(throws: RuntimeFatalError.self) { try loop.serveNextInvocation() }

        #expect(error.reason.hasPrefix("cannot post the response of req-1: Runtime API unreachable"))
    }

    @Test func aResponseRefusedByTheAPIIsFatal() throws {
        let api = FakeRuntimeAPI(script: [.success(FakeRuntimeAPI.invocation("req-1", event: "x"))])
        api.responseOutcomes = [.success(.rejected(status: 400, message: "InvalidRequestID"))]
        var loop = RuntimeLoop.testing(Self.echo(), client: api)

        let error = try #require(throws: RuntimeFatalError.self) { try loop.serveNextInvocation() }

        #expect(error.reason == "the Runtime API refused the response with HTTP 400: InvalidRequestID")
    }

    @Test func aResponseLostToAServerFaultCostsOnlyThatInvocation() throws {
        let api = FakeRuntimeAPI(script: [
            .success(FakeRuntimeAPI.invocation("lost", event: "a")),
            .success(FakeRuntimeAPI.invocation("kept", event: "b")),
        ])
        api.responseOutcomes = [.success(.rejected(status: 502, message: "bad gateway"))]
        var loop = RuntimeLoop.testing(Self.echo(), client: api)

        try loop.serveNextInvocation()
        try loop.serveNextInvocation()

        #expect(api.posts == [.response(requestID: "lost", body: "a"), .response(requestID: "kept", body: "b")])
    }

    @Test func aResponseTooLargeIsAnsweredWithResponseSizeTooLarge() throws {
        let api = FakeRuntimeAPI(script: [
            .success(FakeRuntimeAPI.invocation("big", event: "0123456789")),
            .success(FakeRuntimeAPI.invocation("next", event: "n")),
        ])
        api.responseOutcomes = [.success(.rejected(status: 413, message: "RequestEntityTooLarge"))]
        // The platform may have closed the invocation already: a refused error post is not fatal here.
        api.errorOutcomes = [.success(.rejected(status: 400, message: "InvalidStateTransition"))]
        var loop = RuntimeLoop.testing(Self.echo(), client: api)

        try loop.serveNextInvocation()
        try loop.serveNextInvocation()

        try #require(api.posts.count == 3)
        guard case .error("big", let errorType, let body) = api.posts[1] else {
            Issue.record("expected the error post for big, got \(api.posts[1])")
            return
        }
        #expect(errorType == "Function.ResponseSizeTooLarge")
        #expect(try parseJSONObject(body)["errorMessage"] as? String
            == "The response of 10 bytes exceeds the Lambda response size limit")
        #expect(api.posts[2] == .response(requestID: "next", body: "n"))
    }

    @Test func anErrorPostRefusedByTheAPIIsFatalButAServerFaultIsNot() throws {
        let failing = ScriptedHandler { _, _ in throw InvalidEventError(errorMessage: "bad") }

        let refusing = FakeRuntimeAPI(script: [.success(FakeRuntimeAPI.invocation("req-1", event: ""))])
        refusing.errorOutcomes = [.success(.rejected(status: 400, message: "InvalidRequestID"))]
        var refused = RuntimeLoop.testing(failing, client: refusing)
        let error = try #require(throws: RuntimeFatalError.self) { try refused.serveNextInvocation() }
        #expect(error.reason == "the Runtime API refused the error with HTTP 400: InvalidRequestID")

        let faulty = FakeRuntimeAPI(script: [
            .success(FakeRuntimeAPI.invocation("req-1", event: "")),
            .success(FakeRuntimeAPI.invocation("req-2", event: "")),
        ])
        faulty.errorOutcomes = [.success(.rejected(status: 500, message: "oops"))]
        var goesOn = RuntimeLoop.testing(failing, client: faulty)
        try goesOn.serveNextInvocation()
        try goesOn.serveNextInvocation()
        #expect(faulty.posts.count == 2)

        let unreachable = FakeRuntimeAPI(script: [.success(FakeRuntimeAPI.invocation("req-1", event: ""))])
        unreachable.errorOutcomes = [.failure(FakeRuntimeAPI.refused)]
        var gone = RuntimeLoop.testing(failing, client: unreachable)
        let goneError = try #require(throws: RuntimeFatalError.self) { try gone.serveNextInvocation() }
        #expect(goneError.reason.hasPrefix("cannot post the error of req-1: "))
    }
}
