#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LambdaRuntime

/// Test hooks for the runtime contract, built only into the test executable `diagnostic-bootstrap`.
///
/// Events whose `action` starts with `diagnostic.` can crash the process, sleep, stream, or answer
/// with chosen sizes and errors. Every other event goes to the wrapped handler.
struct DiagnosticActions<Wrapped: LambdaHandler & Sendable>: LambdaHandler, Sendable {
    var wrapped: Wrapped

    init(wrapping wrapped: Wrapped) {
        self.wrapped = wrapped
    }

    func shutdown(deadline: ContinuousClock.Instant) {
        wrapped.shutdown(deadline: deadline)
    }

    mutating func handle(_ event: [UInt8], context: InvocationContext) throws -> [UInt8] {
        if let probe = GatewayStreamProbe.decode(event) {
            return try probe.stream(responder: try Self.responder(context))
        }
        guard let request = DiagnosticRequest.decode(event) else {
            return try wrapped.handle(event, context: context)
        }
        switch request.action {
        case "diagnostic.stream":
            return try stream(request, responder: try Self.responder(context))
        case "diagnostic.context":
            return try JSONEncoder().encode(ContextReport(context)).asBytes
        case "diagnostic.crash":
            context.logger.warning("diagnostic.crash: exiting with code 3")
            _exit(3)
        case "diagnostic.sleep":
            let milliseconds = max(0, request.ms ?? 0)
            Pause.sleep(.milliseconds(milliseconds))
            return Array("{\"slept\":\(milliseconds)}".utf8)
        case "diagnostic.oversize":
            // A JSON string of exactly `bytes` bytes, at most 64 MiB (beyond any Lambda limit).
            let size = min(64 << 20, max(2, request.bytes ?? 0))
            return [UInt8(ascii: "\"")] + [UInt8](repeating: UInt8(ascii: "x"), count: size - 2) + [UInt8(ascii: "\"")]
        case "diagnostic.error":
            throw LambdaError(
                errorType: request.errorType ?? "Function.DiagnosticError",
                errorMessage: request.errorMessage ?? "diagnostic.error was asked for")
        case "diagnostic.log":
            let message = request.message ?? "diagnostic.log"
            let logger = context.logger
            logger.trace("\(message)")
            logger.debug("\(message)")
            logger.info("\(message)")
            logger.notice("\(message)")
            logger.warning("\(message)")
            logger.error("\(message)")
            logger.critical("\(message)")
            return Array("{\"logged\":true}".utf8)
        case "diagnostic.log-plain":
            // A logger without the request id in its metadata, as library code uses: the id must
            // come from the invocation the calling runtime loop serves.
            var logger = context.logger
            logger[metadataKey: LogLineFormatter.requestIDKey] = nil
            logger.info("\(request.message ?? "diagnostic.log-plain")")
            return Array("{\"logged\":true}".utf8)
        default:
            throw LambdaError(errorType: "Function.UnknownAction", errorMessage: "Unknown diagnostic action \(request.action)")
        }
    }

    /// `diagnostic.stream`: `chunks` chunks of `bytes` bytes ("chunk-<n>:" then dots and a newline), `ms` apart, then
    /// an error when `errorType` is given, else a last line `end`.
    private func stream(_ request: DiagnosticRequest, responder: StreamingResponder) throws -> [UInt8] {
        let stream = try responder.openStream(contentType: "text/plain")
        for index in 0..<max(0, request.chunks ?? 1) {
            var chunk = Array("chunk-\(index):".utf8)
            let size = max(chunk.count + 1, request.bytes ?? 64)
            chunk += [UInt8](repeating: UInt8(ascii: "."), count: size - chunk.count - 1) + [UInt8(ascii: "\n")]
            try stream.write(chunk)
            if let pause = request.ms, pause > 0, index + 1 < (request.chunks ?? 1) {
                Pause.sleep(.milliseconds(pause))
            }
        }
        if let errorType = request.errorType {
            throw LambdaError(errorType: errorType, errorMessage: request.errorMessage ?? "diagnostic.stream failed mid-stream")
        }
        return Array("end\n".utf8)
    }

    /// The run loop gives every invocation a responder; a context without one cannot stream.
    private static func responder(_ context: InvocationContext) throws -> StreamingResponder {
        guard let responder = context.responder else {
            throw LambdaError(errorType: "Function.CannotStream", errorMessage: "this invocation cannot be answered as a stream")
        }
        return responder
    }
}

/// An HTTP API event for `GET /diagnostic/http-stream` (through the local gateway): answers with a
/// streamed HTTP integration response. Query: `prelude=bad` (no delimiter), `chunks`, `errorType`
/// (an error after the chunks). The prelude is written in two pieces, the second with the first
/// body bytes, so the gateway must reassemble it.
private struct GatewayStreamProbe: Decodable {
    var rawPath: String
    var queryStringParameters: [String: String]?

    static func decode(_ event: [UInt8]) -> GatewayStreamProbe? {
        guard let probe = try? JSONDecoder().decode(GatewayStreamProbe.self, from: Data(event)),
              probe.rawPath == "/diagnostic/http-stream"
        else { return nil }
        return probe
    }

    func stream(responder: StreamingResponder) throws -> [UInt8] {
        let query = queryStringParameters ?? [:]
        let stream = try responder.openStream(contentType: "application/vnd.awslambda.http-integration-response")
        if query["prelude"] == "bad" {
            try stream.write(Array("no prelude here\n".utf8))
            return []
        }
        let prelude = #"{"statusCode":201,"headers":{"Content-Type":"text/plain","X-Probe":"yes"},"cookies":["probe=1"]}"#
        let split = prelude.utf8.count / 2
        try stream.write(Array(prelude.utf8.prefix(split)))
        try stream.write(Array(prelude.utf8.dropFirst(split)) + [UInt8](repeating: 0, count: 8) + Array("line-0\n".utf8))
        for index in 1..<max(1, Int(query["chunks"] ?? "3") ?? 3) {
            try stream.write(Array("line-\(index)\n".utf8))
        }
        if let errorType = query["errorType"] {
            throw LambdaError(errorType: errorType, errorMessage: "failed after the first byte")
        }
        return Array("end\n".utf8)
    }
}

private struct DiagnosticRequest: Decodable {
    var action: String
    var ms: Int?
    var bytes: Int?
    var chunks: Int?
    var errorType: String?
    var errorMessage: String?
    var message: String?

    static func decode(_ event: [UInt8]) -> DiagnosticRequest? {
        guard let request = try? JSONDecoder().decode(DiagnosticRequest.self, from: Data(event)),
            request.action.hasPrefix("diagnostic.")
        else { return nil }
        return request
    }
}

private struct ContextReport: Encodable {
    var requestId: String
    var remainingMs: Int64
    var deadlineMs: Int64
    var invokedFunctionArn: String
    var traceId: String?
    var traceIdEnvironment: String?
    var clientContext: String?
    var cognitoIdentity: String?
    var tenantId: String?

    init(_ context: InvocationContext) {
        requestId = context.requestID
        remainingMs = context.remainingTime.milliseconds
        deadlineMs = context.deadlineEpochMilliseconds
        invokedFunctionArn = context.invokedFunctionARN
        traceId = context.traceID
        traceIdEnvironment = ProcessEnvironment.value("_X_AMZN_TRACE_ID")
        clientContext = context.clientContext
        cognitoIdentity = context.cognitoIdentity
        tenantId = context.tenantID
    }
}

extension Data {
    fileprivate var asBytes: [UInt8] { [UInt8](self) }
}
