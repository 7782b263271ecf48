import Foundation
import NIOCore
import NIOHTTP1

/// Turns a function's streamed answer into the gateway's HTTP response, as API Gateway's streaming
/// Lambda proxy integration does: an `application/vnd.awslambda.http-integration-response` stream
/// starts with a JSON prelude (`statusCode`, `headers`, `multiValueHeaders`, `cookies`) and eight
/// NUL bytes; the status and headers come from the prelude, the rest is the body, sent chunked as
/// it arrives. A stream of another content type is a 200 body of that type.
///
/// An error after the first byte (the function's error trailers, or its timeout) closes the
/// connection without the terminating chunk, so the client sees a truncated body, as from API
/// Gateway. Before the prelude is complete an error is answered as a failed invocation (500), and a
/// prelude that is not valid (no delimiter within 16 KiB, not an object with `statusCode`) as 502.
///
/// Called on the emulator's event loop; writes go to the client's channel (thread-safe).
final class GatewayStreamReceiver: StreamRelayReceiver {
    static let integrationContentType = "application/vnd.awslambda.http-integration-response"
    /// API Gateway requires the prelude within the stream's first 16 KB.
    static let preludeLimit = 16 * 1024
    private static let delimiterLength = 8

    private enum State {
        case prelude(ByteBuffer)
        case body
        case done
    }

    private let channel: Channel
    private let version: HTTPVersion
    private let keepAlive: Bool
    private let label: String
    private var state: State

    init(channel: Channel, version: HTTPVersion, keepAlive: Bool, contentType: String?, label: String) {
        self.channel = channel
        self.version = version
        self.keepAlive = keepAlive
        self.label = label
        let mediaType = contentType?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        if mediaType == Self.integrationContentType {
            state = .prelude(ByteBuffer())
        } else {
            state = .body
            writeHead(ProxyAnswer(
                statusCode: 200, headers: [("Content-Type", contentType ?? "application/octet-stream")], cookies: [], body: nil))
        }
    }

    func receive(_ chunks: [ByteBuffer]) {
        for var chunk in chunks {
            switch state {
            case .done:
                return
            case .body:
                channel.write(HTTPServerResponsePart.body(.byteBuffer(chunk)), promise: nil)
            case .prelude(var pending):
                pending.writeBuffer(&chunk)
                takePrelude(from: pending)
            }
        }
        channel.flush()
    }

    func end(trailers: HTTPHeaders?) {
        let errorType = trailers?.first(name: StreamRelay.errorTypeTrailer)
        switch state {
        case .done:
            return
        case .prelude:
            if let errorType {
                log("api gateway: \(label): function error (\(errorType)) before the stream's prelude")
                answerBuffered(500, "Internal Server Error")
            } else {
                invalidPrelude("the stream ended before the prelude's eight NUL bytes")
            }
        case .body:
            state = .done
            if let errorType {
                log("api gateway: \(label): function error (\(errorType)) after the first byte; connection closed")
                let channel = channel
                channel.flush()
                channel.eventLoop.execute { channel.close(promise: nil) }
                return
            }
            let done = channel.writeAndFlush(HTTPServerResponsePart.end(nil))
            if !keepAlive {
                let channel = channel
                done.whenComplete { _ in channel.close(promise: nil) }
            }
        }
    }

    private func takePrelude(from pending: ByteBuffer) {
        guard let end = Self.delimiterOffset(in: pending) else {
            if pending.readableBytes > Self.preludeLimit {
                invalidPrelude("no prelude delimiter within the first \(Self.preludeLimit) bytes")
            } else {
                state = .prelude(pending)
            }
            return
        }
        let preludeBytes = Array(pending.readableBytesView.prefix(end))
        guard let answer = ProxyAnswer(prelude: preludeBytes) else {
            invalidPrelude("the prelude is not a JSON object with a statusCode")
            return
        }
        writeHead(answer)
        state = .body
        var rest = pending
        rest.moveReaderIndex(forwardBy: end + Self.delimiterLength)
        if rest.readableBytes > 0 {
            channel.write(HTTPServerResponsePart.body(.byteBuffer(rest)), promise: nil)
        }
    }

    /// The offset of the first run of eight NUL bytes (JSON text holds no NUL byte).
    private static func delimiterOffset(in buffer: ByteBuffer) -> Int? {
        var run = 0
        for (offset, byte) in buffer.readableBytesView.enumerated() {
            run = byte == 0 ? run + 1 : 0
            if run == delimiterLength { return offset + 1 - delimiterLength }
        }
        return nil
    }

    private func writeHead(_ answer: ProxyAnswer) {
        var headers = HTTPHeaders(answer.headers)
        for cookie in answer.cookies { headers.add(name: "Set-Cookie", value: cookie) }
        headers.remove(name: "Content-Length")
        headers.replaceOrAdd(name: "Transfer-Encoding", value: "chunked")
        if !keepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
        let head = HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: answer.statusCode), headers: headers)
        channel.writeAndFlush(HTTPServerResponsePart.head(head), promise: nil)
    }

    private func invalidPrelude(_ reason: String) {
        log("api gateway: \(label): malformed streamed answer: \(reason)")
        answerBuffered(502, "Internal Server Error")
    }

    private func answerBuffered(_ status: Int, _ message: String) {
        state = .done
        let body = Array("{\"message\":\"\(message)\"}".utf8)
        GatewayHTTPHandler.write(
            ProxyAnswer(statusCode: status, headers: GatewayHTTPHandler.jsonType, cookies: [], body: body),
            to: channel, version: version, keepAlive: false)
    }
}

extension ProxyAnswer {
    /// The status, headers and cookies of a streamed answer's prelude; nil unless it is an object with `statusCode`.
    init?(prelude: [UInt8]) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(prelude)) as? [String: Any],
              object["statusCode"] is NSNumber
        else { return nil }
        self.init(ByteBuffer(bytes: prelude))
    }
}
