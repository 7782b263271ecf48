import LambdaEmulatorCore
import NIOCore
import NIOHTTP1

/// Collects each HTTP request (parsed by NIOHTTP1) into an `EmulatorRequest`, passes it to the emulator
/// and writes the answer, which may come much later (long polls, invocations).
///
/// Bodies up to `bodyLimit` bytes are kept; larger ones are read and dropped so the route can answer 413;
/// beyond `connectionLimit` bytes the emulator answers 413 at once and closes the connection.
/// A client that sends `Expect: 100-continue` (curl does for bodies over 1 MiB) gets `100 Continue`
/// at once, as Go's HTTP server in AWS's RIE answers, instead of waiting for its own timeout.
final class HTTPRequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        case idle
        case receiving(EmulatorRequest, bytesSeen: Int)
        /// A streamed invocation response, passed on chunk by chunk (no body limit but Lambda's 200 MB).
        case streaming(requestID: String, relay: StreamRelay, head: HTTPRequestHead)
        case rejected
    }

    private let emulator: Emulator
    private let listener: EmulatorListener
    private let bodyLimit: Int
    private let connectionLimit: Int
    private var state = State.idle

    init(emulator: Emulator, listener: EmulatorListener, bodyLimit: Int, connectionLimit: Int) {
        self.emulator = emulator
        self.listener = listener
        self.bodyLimit = bodyLimit
        self.connectionLimit = connectionLimit
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            // A streamed answer is a Runtime API request: only the runtime listener takes one.
            if listener == .runtime, let requestID = Self.streamedResponseID(head),
               let relay = emulator.beginStreamedResponse(requestID, head: head) {
                state = .streaming(requestID: requestID, relay: relay, head: head)
                return
            }
            if let length = head.headers.first(name: "Content-Length").flatMap(Int.init), length > connectionLimit {
                reject(context: context, version: head.version)
                return
            }
            // The declared length, when it fits, sizes the buffer once: no regrowth copies of large bodies.
            let declared = head.headers.first(name: "Content-Length").flatMap(Int.init) ?? 0
            let capacity = (0...bodyLimit).contains(declared) ? declared : 0
            let request = EmulatorRequest(head: head, body: context.channel.allocator.buffer(capacity: capacity),
                                          bodyExceededLimit: false)
            state = .receiving(request, bytesSeen: 0)
            if head.headers[canonicalForm: "Expect"].contains(where: { $0.lowercased() == "100-continue" }) {
                let interim = HTTPResponseHead(version: head.version, status: .continue)
                context.writeAndFlush(wrapOutboundOut(.head(interim)), promise: nil)
            }
        case .body(var chunk):
            if case .streaming(_, let relay, _) = state {
                relay.write(chunk)
                return
            }
            guard case .receiving(var request, let seen) = state else { return }
            // Take the body out of `state` first: with a second reference, the write below would copy
            // the whole body so far on every chunk (quadratic in the body's size).
            state = .idle
            let total = seen + chunk.readableBytes
            if total > connectionLimit {
                reject(context: context, version: request.head.version)
                return
            }
            if total > bodyLimit {
                request.bodyExceededLimit = true
                request.body.clear()
            } else {
                request.body.writeBuffer(&chunk)
            }
            state = .receiving(request, bytesSeen: total)
        case .end(let trailers):
            if case .streaming(let requestID, let relay, let head) = state {
                state = .idle
                let response = emulator.endStreamedResponse(requestID, relay: relay, trailers: trailers)
                Self.write(response, to: context.channel, version: head.version, keepAlive: head.isKeepAlive)
                return
            }
            guard case .receiving(let request, _) = state else { return }
            state = .idle
            dispatch(request, context: context)
        }
    }

    private func dispatch(_ request: EmulatorRequest, context: ChannelHandlerContext) {
        let channel = context.channel
        let keepAlive = request.head.isKeepAlive
        let version = request.head.version
        emulator.handle(request, channel: channel, on: listener).whenComplete { result in
            let response: EmulatorResponse
            switch result {
            case .success(let value): response = value
            case .failure(let error):
                response = .error(.internalServerError,
                                  LambdaErrorBody(errorMessage: "\(error)", errorType: "EmulatorError"))
            }
            Self.write(response, to: channel, version: version, keepAlive: keepAlive)
        }
    }

    private func reject(context: ChannelHandlerContext, version: HTTPVersion) {
        state = .rejected
        let response = EmulatorResponse.error(.payloadTooLarge, EmulatorErrors.bodyTooLarge(limit: connectionLimit))
        Self.write(response, to: context.channel, version: version, keepAlive: false)
    }

    /// The request id of `POST .../invocation/{id}/response` with `Lambda-Runtime-Function-Response-Mode: streaming`.
    private static func streamedResponseID(_ head: HTTPRequestHead) -> String? {
        guard head.headers.first(name: "Lambda-Runtime-Function-Response-Mode")?.lowercased() == "streaming",
              case .invocationResponse(let requestID) = EmulatorRoute(method: head.method.rawValue, uri: head.uri)
        else { return nil }
        return requestID
    }

    private static func write(_ response: EmulatorResponse, to channel: Channel, version: HTTPVersion, keepAlive: Bool) {
        if let relay = response.stream {
            var headers = response.headers
            if !keepAlive {
                headers.replaceOrAdd(name: "Connection", value: "close")
            }
            channel.writeAndFlush(HTTPServerResponsePart.head(HTTPResponseHead(version: version, status: response.status, headers: headers)), promise: nil)
            relay.attach(channel, keepAlive: keepAlive)
            return
        }
        var headers = response.headers
        headers.replaceOrAdd(name: "Content-Length", value: String(response.body.readableBytes))
        if !keepAlive {
            headers.replaceOrAdd(name: "Connection", value: "close")
        }
        let head = HTTPResponseHead(version: version, status: response.status, headers: headers)
        channel.write(HTTPServerResponsePart.head(head), promise: nil)
        channel.write(HTTPServerResponsePart.body(.byteBuffer(response.body)), promise: nil)
        let done = channel.writeAndFlush(HTTPServerResponsePart.end(nil))
        if !keepAlive {
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
