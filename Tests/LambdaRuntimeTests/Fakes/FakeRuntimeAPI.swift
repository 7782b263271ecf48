import Testing
import CurlHTTP
import Logging

@testable import LambdaRuntime

/// A Runtime API in memory: `next` hands out the scripted invocations (or failures) in order,
/// and every posted answer is recorded. Once the script is used up, `next` fails for good, so a
/// loop served past it stops with a `RuntimeFatalError`.
final class FakeRuntimeAPI: RuntimeAPIClientProtocol {
    enum Post: Equatable {
        case response(requestID: String, body: String)
        case error(requestID: String, errorType: String, body: String)
    }

    let endpoint: String
    private var script: [Result<Invocation, RuntimeAPIError>]
    /// How the API takes each posted response, in order; `.accepted` once used up.
    var responseOutcomes: [Result<PostOutcome, RuntimeAPIError>] = []
    /// How the API takes each posted error, in order; `.accepted` once used up.
    var errorOutcomes: [Result<PostOutcome, RuntimeAPIError>] = []
    /// Runs at the start of every `next`, before it answers.
    var onNext: () -> Void = {}
    private(set) var posts: [Post] = []
    private(set) var nextCalls = 0

    /// - Parameter endpoint: where a streamed response connects; nothing listens on the default.
    init(endpoint: String = "127.0.0.1:9", script: [Result<Invocation, RuntimeAPIError>]) {
        self.endpoint = endpoint
        self.script = script
    }

    func next() throws(RuntimeAPIError) -> Invocation {
        nextCalls += 1
        onNext()
        guard !script.isEmpty else { throw .malformedInvocation("the fake has no invocation left") }
        return try script.removeFirst().get()
    }

    func postResponse(requestID: String, body: [UInt8]) throws(RuntimeAPIError) -> PostOutcome {
        posts.append(.response(requestID: requestID, body: String(decoding: body, as: UTF8.self)))
        return try Self.take(&responseOutcomes)
    }

    func postError(requestID: String, errorType: String, body: [UInt8]) throws(RuntimeAPIError) -> PostOutcome {
        posts.append(.error(requestID: requestID, errorType: errorType, body: String(decoding: body, as: UTF8.self)))
        return try Self.take(&errorOutcomes)
    }

    private static func take(_ outcomes: inout [Result<PostOutcome, RuntimeAPIError>]) throws(RuntimeAPIError) -> PostOutcome {
        outcomes.isEmpty ? .accepted : try outcomes.removeFirst().get()
    }

    /// An invocation as `next` would hand it over.
    static func invocation(_ requestID: String, event: String) -> Invocation {
        let context = InvocationContext(
            requestID: requestID, deadlineEpochMilliseconds: Int64.max / 2,
            invokedFunctionARN: "arn:aws:lambda:eu-west-1:123456789012:function:loop-test",
            traceID: "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
            clientContext: nil, cognitoIdentity: nil, logger: Logger(label: "loop-test"))
        return Invocation(event: Array(event.utf8), context: context)
    }

    /// A server-side fault (HTTP 503): transient, so `next` is tried again.
    static let unavailable = RuntimeAPIError.unexpectedStatus(path: "/invocation/next", status: 503, body: "")
    /// The API is gone (connection refused): transient as well.
    static let refused = RuntimeAPIError.transport(CurlHTTPError(code: 7, message: "Couldn't connect to server"))
}

/// A handler whose answer is a closure, given the context as the loop passes it.
struct ScriptedHandler: LambdaHandler {
    var answer: (_ event: [UInt8], _ context: InvocationContext) throws -> [UInt8]

    func handle(_ event: [UInt8], context: InvocationContext) throws -> [UInt8] {
        try answer(event, context)
    }
}

/// An error the function answers with, as an action would throw it.
struct InvalidEventError: LambdaFunctionError {
    var errorType: String { "Function.InvalidEvent" }
    var errorMessage: String
}

/// An error that is not a `LambdaFunctionError`, with a description that must not be posted.
struct LeakyError: Error, CustomStringConvertible {
    var description: String { "password=hunter2" }
}

/// Records the pauses the loop asks for instead of waiting them.
final class PauseLog {
    private(set) var delays: [Duration] = []
    func record(_ delay: Duration) { delays.append(delay) }
}

extension RuntimeLoop {
    /// A loop over `client` that records its pauses in `pauses` instead of sleeping.
    static func testing(
        _ handler: Handler, client: FakeRuntimeAPI, pauses: PauseLog = PauseLog(), shutdown: GracefulShutdown? = nil
    ) -> RuntimeLoop {
        RuntimeLoop(
            handler: handler, client: client, logger: Logger(label: "loop-test"),
            isOnlyLoop: false, shutdown: shutdown, pause: pauses.record)
    }
}
