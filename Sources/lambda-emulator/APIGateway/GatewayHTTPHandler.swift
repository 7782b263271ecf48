import Foundation
import LambdaEmulatorCore
import NIOCore
import NIOHTTP1

/// Serves the local gateway's HTTP side: `GET /` and `GET /index.html` answer the web page;
/// every other request becomes an HTTP API (payload 2.0) event and the function's answer
/// becomes the HTTP response. A `/ws` request the `$connect` route refused is answered here too.
final class GatewayHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// API Gateway's HTTP API payload quota.
    static let bodyLimit = 10 * 1024 * 1024

    private let invoker: GatewayInvoker
    private let connection: GatewayConnection
    private let page: GatewayPage?
    private let access: GatewayAccess
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()
    private var tooLarge = false

    init(invoker: GatewayInvoker, connection: GatewayConnection, page: GatewayPage?, access: GatewayAccess) {
        self.invoker = invoker
        self.connection = connection
        self.page = page
        self.access = access
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body.clear()
            tooLarge = false
        case .body(var chunk):
            if body.readableBytes + chunk.readableBytes > Self.bodyLimit {
                tooLarge = true
                body.clear()
            } else if !tooLarge {
                body.writeBuffer(&chunk)
            }
        case .end:
            guard let requestHead = head else { return }
            head = nil
            respond(to: requestHead, context: context)
        }
    }

    private func respond(to requestHead: HTTPRequestHead, context: ChannelHandlerContext) {
        let channel = context.channel
        let keepAlive = requestHead.isKeepAlive
        let version = requestHead.version
        let path = GatewayEvents.splitURI(requestHead.uri).path
        if tooLarge {
            Self.write(.init(statusCode: 413, headers: Self.jsonType, cookies: [], body: Array(#"{"message":"Request Entity Too Large"}"#.utf8)),
                       to: channel, version: version, keepAlive: false)
            return
        }
        if let refusal = access.refusal(
            host: requestHead.headers.first(name: "Host"), origin: requestHead.headers.first(name: "Origin")) {
            log("api gateway: refused \(requestHead.method.rawValue) \(path): \(refusal)")
            Self.write(.init(statusCode: 403, headers: Self.jsonType, cookies: [], body: Array(#"{"message":"Forbidden"}"#.utf8)),
                       to: channel, version: version, keepAlive: false)
            return
        }
        if path == "/ws" {
            // Reaches here only when the upgrade did not happen: not a WebSocket handshake, or refused.
            let status = connection.refusedStatus ?? 426
            let message = switch status {
            case 426: "Upgrade Required"
            case 429: "Too Many Requests"
            default: "Forbidden"
            }
            Self.write(.init(statusCode: status, headers: Self.jsonType, cookies: [], body: Array("{\"message\":\"\(message)\"}".utf8)),
                       to: channel, version: version, keepAlive: false)
            return
        }
        if let page, requestHead.method == .GET || requestHead.method == .HEAD, path == "/" || path == "/index.html" {
            let answer = ProxyAnswer(
                statusCode: 200,
                headers: [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store")],
                cookies: [], body: requestHead.method == .HEAD ? [] : page.contents())
            Self.write(answer, to: channel, version: version, keepAlive: keepAlive)
            return
        }
        let event = GatewayEvents.http(requestHead, body: body, host: connection.host, sourceIP: connection.sourceIP)
        let label = "\(requestHead.method.rawValue) \(path)"
        invoker.invokeHTTP(event, on: channel.eventLoop) { contentType in
            GatewayStreamReceiver(channel: channel, version: version, keepAlive: keepAlive, contentType: contentType, label: label)
        }.whenSuccess { result in
            let answer: ProxyAnswer
            switch result {
            case .streamed:
                return
            case .buffered(.answered(let buffer)):
                answer = ProxyAnswer(buffer)
            case .buffered(.failed(let reason)):
                log("api gateway: \(requestHead.method.rawValue) \(path): \(reason)")
                answer = ProxyAnswer(statusCode: 500, headers: Self.jsonType, cookies: [], body: Array(#"{"message":"Internal Server Error"}"#.utf8))
            case .buffered(.throttled):
                answer = ProxyAnswer(statusCode: 429, headers: Self.jsonType, cookies: [], body: Array(#"{"message":"Too Many Requests"}"#.utf8))
            }
            Self.write(answer, to: channel, version: version, keepAlive: keepAlive)
        }
    }

    static let jsonType = [("Content-Type", "application/json")]

    static func write(_ answer: ProxyAnswer, to channel: Channel, version: HTTPVersion, keepAlive: Bool) {
        var headers = HTTPHeaders(answer.headers)
        for cookie in answer.cookies { headers.add(name: "Set-Cookie", value: cookie) }
        let body = answer.body ?? []
        headers.replaceOrAdd(name: "Content-Length", value: String(body.count))
        if !keepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
        let status = HTTPResponseStatus(statusCode: answer.statusCode)
        channel.write(HTTPServerResponsePart.head(HTTPResponseHead(version: version, status: status, headers: headers)), promise: nil)
        channel.write(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil)
        let done = channel.writeAndFlush(HTTPServerResponsePart.end(nil))
        if !keepAlive { done.whenComplete { _ in channel.close(promise: nil) } }
    }
}

/// The web page the gateway serves, read from disk on each request so edits show on reload.
struct GatewayPage: Sendable {
    let path: String

    func contents() -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            return Array("<!doctype html><title>missing</title><p>\(path) could not be read</p>".utf8)
        }
        return Array(data)
    }
}
