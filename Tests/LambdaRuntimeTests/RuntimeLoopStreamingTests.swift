import Foundation
import Testing
import TestSupport

@testable import LambdaRuntime

/// Streamed answers from the run loop in-process: the chunked POST goes to a loopback recorder,
/// nothing is posted through the client.
@Suite struct RuntimeLoopStreamingTests {
    @Test func aStreamedAnswerIsSentInChunksAndEndsWithWhatTheHandlerReturns() throws {
        let recorder = try ChunkedRequestRecorder()
        let api = FakeRuntimeAPI(endpoint: recorder.endpoint, script: [.success(FakeRuntimeAPI.invocation("req-1", event: "{}"))])
        var loop = RuntimeLoop.testing(ScriptedHandler { _, context in
            let stream = try #require(context.responder).openStream(contentType: "application/x-ndjson")
            try stream.write(Array("{\"n\":1}\n".utf8))
            try stream.write(Array("{\"n\":2}\n".utf8))
            return Array("{\"end\":true}\n".utf8)
        }, client: api)

        try loop.serveNextInvocation()

        let request = try #require(recorder.request)
        #expect(request.head.hasPrefix("POST /2018-06-01/runtime/invocation/req-1/response HTTP/1.1\r\n"))
        #expect(request.head.contains("Lambda-Runtime-Function-Response-Mode: streaming\r\n"))
        #expect(request.head.contains("Content-Type: application/x-ndjson\r\n"))
        #expect(String(decoding: request.body, as: UTF8.self) == "{\"n\":1}\n{\"n\":2}\n{\"end\":true}\n")
        #expect(request.trailers.isEmpty)
        #expect(api.posts.isEmpty)
    }

    @Test func anErrorAfterTheFirstByteTravelsInTheTrailers() throws {
        let recorder = try ChunkedRequestRecorder()
        let api = FakeRuntimeAPI(endpoint: recorder.endpoint, script: [.success(FakeRuntimeAPI.invocation("req-1", event: "{}"))])
        var loop = RuntimeLoop.testing(ScriptedHandler { _, context in
            try #require(context.responder).openStream(contentType: "text/plain").write(Array("partial".utf8))
            throw InvalidEventError(errorMessage: "stopped half way")
        }, client: api)

        try loop.serveNextInvocation()

        let request = try #require(recorder.request)
        #expect(String(decoding: request.body, as: UTF8.self) == "partial")
        #expect(request.trailers["Lambda-Runtime-Function-Error-Type"] == "Function.InvalidEvent")
        let encoded = try #require(request.trailers["Lambda-Runtime-Function-Error-Body"])
        let body = try #require(Data(base64Encoded: encoded))
        let json = try parseJSONObject(String(decoding: body, as: UTF8.self))
        #expect(json["errorMessage"] as? String == "stopped half way")
        #expect(api.posts.isEmpty)
    }

    @Test func aStreamThatCannotOpenIsAnsweredAsStreamBrokenAndTheLoopGoesOn() throws {
        let closedPort = try OneShotRuntimeAPI.unusedPort()
        let api = FakeRuntimeAPI(endpoint: "127.0.0.1:\(closedPort)", script: [
            .success(FakeRuntimeAPI.invocation("req-1", event: "stream")),
            .success(FakeRuntimeAPI.invocation("req-2", event: "plain")),
        ])
        var loop = RuntimeLoop.testing(ScriptedHandler { event, context in
            if event == Array("stream".utf8) {
                _ = try #require(context.responder).openStream(contentType: "text/plain")
            }
            return Array("done".utf8)
        }, client: api)

        try loop.serveNextInvocation()
        try loop.serveNextInvocation()

        try #require(api.posts.count == 2)
        guard case .error("req-1", let errorType, _) = api.posts[0] else {
            Issue.record("expected an error post for req-1, got \(api.posts[0])")
            return
        }
        #expect(errorType == "Runtime.StreamBroken")
        #expect(api.posts[1] == .response(requestID: "req-2", body: "done"))
    }
}
