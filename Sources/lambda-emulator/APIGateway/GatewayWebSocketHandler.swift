import NIOCore
import NIOWebSocket

/// Serves one upgraded `/ws` connection the way an API Gateway WebSocket API does: each text
/// message is a `$default` MESSAGE event whose proxy answer `body` goes back as a text message;
/// a binary message closes the connection with 1003; the end of the connection, either side's,
/// is a `$disconnect` event. Messages are invoked as they arrive, so answers may overtake each other.
final class GatewayWebSocketHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// API Gateway's WebSocket message quota (128 KB).
    static let messageLimit = 128 * 1024

    private let invoker: GatewayInvoker
    private let connection: GatewayConnection
    private var closing = false

    init(invoker: GatewayInvoker, connection: GatewayConnection) {
        self.invoker = invoker
        self.connection = connection
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text:
            guard !closing else { return }
            var data = frame.unmaskedData
            message(data.readString(length: data.readableBytes) ?? "", context: context)
        case .binary:
            close(code: .unacceptableData, reason: "Binary frames are not supported", context: context)
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .connectionClose:
            var data = frame.unmaskedData
            let code = data.readWebSocketErrorCode()
            connection.closeCode = code.map { Int(UInt16(webSocketErrorCode: $0)) } ?? 1005
            connection.closeReason = data.readString(length: data.readableBytes) ?? ""
            guard !closing else {
                context.close(promise: nil)
                return
            }
            closing = true
            // Echo the close, then end the connection.
            var echo = context.channel.allocator.buffer(capacity: 2)
            if let code { echo.write(webSocketErrorCode: code) }
            let reply = WebSocketFrame(fin: true, opcode: .connectionClose, data: echo)
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(reply)).whenComplete { _ in channel.close(promise: nil) }
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        sendDisconnect(on: context.eventLoop)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // The aggregator refuses a message over the limit; anything else is a protocol error.
        let tooBig = error is NIOWebSocketFrameAggregator.Error
        close(code: tooBig ? .messageTooLarge : .protocolError, reason: tooBig ? "Message too long" : "Protocol error", context: context)
    }

    private func message(_ text: String, context: ChannelHandlerContext) {
        let channel = context.channel
        let connection = connection
        let event = GatewayEvents.webSocket(.message, connection: connection, text: text)
        invoker.invoke(event, on: channel.eventLoop).whenSuccess { result in
            guard channel.isActive else { return }
            let reply: [UInt8]
            switch result {
            case .answered(let buffer):
                guard let body = ProxyAnswer(buffer).body else { return }
                guard body.count <= Self.messageLimit else {
                    log("api gateway: the answer to a message on \(connection.id) has \(body.count) bytes, over the \(Self.messageLimit)-byte WebSocket message limit")
                    reply = Self.internalError(connection)
                    break
                }
                reply = body
            case .failed(let reason):
                log("api gateway: message on \(connection.id): \(reason)")
                reply = Self.internalError(connection)
            }
            let frame = WebSocketFrame(fin: true, opcode: .text, data: channel.allocator.buffer(bytes: reply))
            channel.writeAndFlush(frame, promise: nil)
        }
    }

    /// What API Gateway sends the client when the integration fails.
    private static func internalError(_ connection: GatewayConnection) -> [UInt8] {
        Array("{\"message\": \"Internal server error\", \"connectionId\":\"\(connection.id)\", \"requestId\":\"\(GatewayClock.requestID())\"}".utf8)
    }

    private func close(code: WebSocketErrorCode, reason: String, context: ChannelHandlerContext) {
        guard !closing else { return }
        closing = true
        connection.closeCode = Int(UInt16(webSocketErrorCode: code))
        connection.closeReason = reason
        var data = context.channel.allocator.buffer(capacity: 2 + reason.utf8.count)
        data.write(webSocketErrorCode: code)
        data.writeString(reason)
        let frame = WebSocketFrame(fin: true, opcode: .connectionClose, data: data)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(frame)).whenComplete { _ in channel.close(promise: nil) }
    }

    private func sendDisconnect(on loop: EventLoop) {
        guard !connection.disconnectSent else { return }
        connection.disconnectSent = true
        let connection = connection
        invoker.invoke(GatewayEvents.webSocket(.disconnect, connection: connection), on: loop).whenSuccess { result in
            if case .failed(let reason) = result {
                log("api gateway: $disconnect of \(connection.id): \(reason)")
            }
        }
    }
}
