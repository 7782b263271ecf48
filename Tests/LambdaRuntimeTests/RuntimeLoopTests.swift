import Testing

@testable import LambdaRuntime

/// The run loop in-process, against `FakeRuntimeAPI`: what it posts for each invocation.
@Suite struct RuntimeLoopTests {
    @Test func theHandlersAnswerIsPostedAsTheResponseOfItsInvocation() throws {
        let api = FakeRuntimeAPI(script: [.success(FakeRuntimeAPI.invocation("req-1", event: #"{"ping":1}"#))])
        var seen: [(event: String, requestID: String, traceID: String?)] = []
        var loop = RuntimeLoop.testing(ScriptedHandler { event, context in
            seen.append((String(decoding: event, as: UTF8.self), context.requestID, context.traceID))
            return Array(#"{"pong":1}"#.utf8)
        }, client: api)

        try loop.serveNextInvocation()

        #expect(api.posts == [.response(requestID: "req-1", body: #"{"pong":1}"#)])
        #expect(seen.count == 1)
        #expect(seen.first?.event == #"{"ping":1}"#)
        #expect(seen.first?.requestID == "req-1")
        #expect(seen.first?.traceID?.hasPrefix("Root=1-5759e988") == true)
        #expect(api.nextCalls == 1)
    }

    @Test func aHandlerErrorIsPostedWithItsErrorTypeAndTheLoopGoesOn() throws {
        let api = FakeRuntimeAPI(script: [
            .success(FakeRuntimeAPI.invocation("bad", event: "not json")),
            .success(FakeRuntimeAPI.invocation("good", event: "{}")),
        ])
        var loop = RuntimeLoop.testing(ScriptedHandler { event, _ in
            guard event.first == UInt8(ascii: "{") else { throw InvalidEventError(errorMessage: "The event is not a JSON object") }
            return Array("ok".utf8)
        }, client: api)

        try loop.serveNextInvocation()
        try loop.serveNextInvocation()

        try #require(api.posts.count == 2)
        guard case .error(let requestID, let errorType, let body) = api.posts[0] else {
            Issue.record("expected an error post first, got \(api.posts[0])")
            return
        }
        #expect(requestID == "bad")
        #expect(errorType == "Function.InvalidEvent")
        let json = try parseJSONObject(body)
        #expect(json["errorType"] as? String == "Function.InvalidEvent")
        #expect(json["errorMessage"] as? String == "The event is not a JSON object")
        #expect(api.posts[1] == .response(requestID: "good", body: "ok"))
    }

    @Test func anUnexpectedErrorIsPostedAsUnhandledNamingOnlyItsType() throws {
        let api = FakeRuntimeAPI(script: [.success(FakeRuntimeAPI.invocation("req-1", event: "{}"))])
        var loop = RuntimeLoop.testing(ScriptedHandler { _, _ in throw LeakyError() }, client: api)

        try loop.serveNextInvocation()

        try #require(api.posts.count == 1)
        guard case .error(_, let errorType, let body) = api.posts[0] else {
            Issue.record("expected an error post, got \(api.posts[0])")
            return
        }
        #expect(errorType == "Function.UnhandledError")
        #expect(body.contains("LeakyError"))
        #expect(!body.contains("hunter2"))
    }

    @Test func shutdownCountsTheLoopInNextThenTheInvocationInFlight() throws {
        let shutdown = GracefulShutdown(grace: .seconds(1))
        let api = FakeRuntimeAPI(script: [.success(FakeRuntimeAPI.invocation("req-1", event: "{}"))])
        var duringNext: [(busy: Int, waitingForNext: Int)] = []
        var duringHandler: [(busy: Int, waitingForNext: Int)] = []
        api.onNext = { duringNext.append(shutdown.inFlight) }
        var loop = RuntimeLoop.testing(ScriptedHandler { _, _ in
            duringHandler.append(shutdown.inFlight)
            return []
        }, client: api, shutdown: shutdown)

        try loop.serveNextInvocation()
        #expect(duringNext.map(\.busy) == [0])
        #expect(duringNext.map(\.waitingForNext) == [1])
        #expect(duringHandler.map(\.busy) == [1])
        #expect(duringHandler.map(\.waitingForNext) == [0])
        #expect(shutdown.inFlight == (busy: 0, waitingForNext: 0))

        // The script is used up: `next` fails for good, and the loop leaves nothing counted.
        #expect(throws: RuntimeFatalError.self) { try loop.serveNextInvocation() }
        #expect(shutdown.inFlight == (busy: 0, waitingForNext: 0))
        #expect(shutdown.acceptsInvocations)
    }
}
