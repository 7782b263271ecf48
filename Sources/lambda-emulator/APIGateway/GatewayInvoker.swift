import Foundation
import NIOCore
import NIOHTTP1

/// What the function answered one gateway event: its result document, or that it failed.
enum GatewayInvocationResult {
    case answered(ByteBuffer)
    /// A function error, a timeout, or the emulator refusing the invocation (shutting down).
    case failed(reason: String)
    /// The emulator's queue is full (`--max-pending-invocations`): HTTP 429, WebSocket close 1013.
    case throttled
}

/// What the function answered an HTTP request invoked as a streaming integration.
enum GatewayHTTPResult {
    case buffered(GatewayInvocationResult)
    /// The function streamed its answer; the receiver `invokeHTTP` was given took it.
    case streamed
}

/// Sends gateway events through the emulator's Invoke API path, so they queue, time out and
/// reach the bootstrap exactly as invocations posted to `/2015-03-31/functions/function/invocations`
/// (WebSocket events) or `/2021-11-15/.../response-streaming-invocations` (HTTP requests) do.
struct GatewayInvoker: Sendable {
    let emulator: Emulator

    func invoke(_ event: [String: Any], on loop: EventLoop) -> EventLoopFuture<GatewayInvocationResult> {
        invoke(event, on: loop, streamingTo: nil).map { result in
            if case .buffered(let answer) = result { return answer }
            return .failed(reason: "the function streamed an answer to a buffered invocation")
        }
    }

    /// Invokes as API Gateway's streaming Lambda proxy integration does (InvokeWithResponseStream): a
    /// buffered answer is `.buffered`; a streamed one goes to the receiver `makeReceiver` makes from
    /// the stream's content type (called on the emulator's event loop) and the result is `.streamed`.
    func invokeHTTP(
        _ event: [String: Any], on loop: EventLoop,
        streamingTo makeReceiver: @escaping @Sendable (_ contentType: String?) -> any StreamRelayReceiver
    ) -> EventLoopFuture<GatewayHTTPResult> {
        invoke(event, on: loop, streamingTo: makeReceiver)
    }

    private func invoke(
        _ event: [String: Any], on loop: EventLoop,
        streamingTo makeReceiver: (@Sendable (_ contentType: String?) -> any StreamRelayReceiver)?
    ) -> EventLoopFuture<GatewayHTTPResult> {
        let payload: Data
        do {
            payload = try JSONSerialization.data(withJSONObject: event, options: [.withoutEscapingSlashes])
        } catch {
            return loop.makeSucceededFuture(.buffered(.failed(reason: "the event could not be encoded: \(error)")))
        }
        let streaming = makeReceiver != nil
        let path = streaming
            ? "/2021-11-15/functions/function/response-streaming-invocations"
            : "/2015-03-31/functions/function/invocations"
        let request = EmulatorRequest(
            head: HTTPRequestHead(version: .http1_1, method: .POST, uri: path),
            body: ByteBuffer(bytes: payload), bodyExceededLimit: false)
        let emulator = emulator
        return emulator.loop.flatSubmit { emulator.invoke(request, streaming: streaming) }
            .map { response -> GatewayHTTPResult in
                if let relay = response.stream, let makeReceiver {
                    // On the emulator's loop, where the relay lives.
                    relay.attach(makeReceiver(response.headers.first(name: "Content-Type")))
                    return .streamed
                }
                if response.status == .tooManyRequests { return .buffered(.throttled) }
                guard response.status == .ok else {
                    return .buffered(.failed(reason: "the emulator answered \(response.status.code)"))
                }
                if let kind = response.headers.first(name: "X-Amz-Function-Error") {
                    return .buffered(.failed(reason: "function error (\(kind)): \(String(buffer: response.body).prefix(300))"))
                }
                return .buffered(.answered(response.body))
            }
            .hop(to: loop)
    }
}

/// The parts of an API Gateway proxy answer (`statusCode`, `headers`, `body`, ...).
struct ProxyAnswer {
    var statusCode: Int
    var headers: [(String, String)]
    var cookies: [String]
    /// nil when the answer has no body member.
    var body: [UInt8]?
    /// The answer's `body` was base64 (`isBase64Encoded: true`): binary data.
    var isBase64Encoded = false

    /// Payload 2.0 rule: an object with `statusCode` is a proxy answer; anything else is a
    /// 200 whose JSON body is the answer itself.
    init(_ buffer: ByteBuffer) {
        let bytes = Array(buffer.readableBytesView)
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
              let status = (object["statusCode"] as? NSNumber)?.intValue
        else {
            self.init(statusCode: 200, headers: [("Content-Type", "application/json")], cookies: [], body: bytes)
            return
        }
        var headers: [(String, String)] = []
        for (name, value) in (object["headers"] as? [String: Any] ?? [:]).sorted(by: { $0.key < $1.key }) {
            headers.append((name, "\(value)"))
        }
        for (name, values) in (object["multiValueHeaders"] as? [String: [Any]] ?? [:]).sorted(by: { $0.key < $1.key }) {
            headers += values.map { (name, "\($0)") }
        }
        var body: [UInt8]?
        var binary = false
        if let text = object["body"] as? String {
            if (object["isBase64Encoded"] as? Bool) == true, let decoded = Data(base64Encoded: text) {
                body = Array(decoded)
                binary = true
            } else {
                body = Array(text.utf8)
            }
        }
        self.init(statusCode: status, headers: headers, cookies: object["cookies"] as? [String] ?? [], body: body)
        isBase64Encoded = binary
    }

    init(statusCode: Int, headers: [(String, String)], cookies: [String], body: [UInt8]?) {
        self.statusCode = statusCode
        self.headers = headers
        self.cookies = cookies
        self.body = body
    }
}

enum GatewayClock {
    /// API Gateway's `requestContext.time` form, `01/Dec/2026:14:05:09 +0000`.
    static func requestTime(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "dd/MMM/yyyy:HH:mm:ss Z"
        return formatter.string(from: date)
    }

    static func epochMilliseconds(_ date: Date) -> Int64 {
        Int64(date.timeIntervalSince1970 * 1000)
    }

    static func requestID() -> String {
        UUID().uuidString.lowercased()
    }
}
