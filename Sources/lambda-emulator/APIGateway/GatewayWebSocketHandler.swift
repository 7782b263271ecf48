import Foundation
import NIOCore
import NIOWebSocket

/// Serves one upgraded `/ws` connection the way an API Gateway WebSocket API does: each text
/// message is a `$default` MESSAGE event whose proxy answer `body` goes back as a text message;
/// a binary message closes the connection with 1003 (with `--websocket-binary` it is a MESSAGE
/// event with a base64 body, and an answer with `isBase64Encoded` goes back as a binary message);
/// the end of the connection, either side's, is a `$disconnect` event. Messages are invoked as
/// they arrive, so answers may overtake each other; one more than `maxInFlightPerConnection`
/// unanswered, or a full emulator queue, closes the connection with 1013 (Try Again Later).
final class GatewayWebSocketHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// API Gateway's WebSocket message quota (128 KB).
    static let messageLimit = 128 * 1024

    static let tryAgainLater = WebSocketErrorCode.unknown(1013)

    private let invoker: GatewayInvoker
    private let connection: GatewayConnection
    private let options: GatewayOptions

    init(invoker: GatewayInvoker, connection: GatewayConnection, options: GatewayOptions) {
        self.invoker = invoker
        self.connection = connection
        self.options = options
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text:
            guard !connection.closing else { return }
            var data = frame.unmaskedData
            message(data.readString(length: data.readableBytes) ?? "", binary: false, context: context)
        case .binary:
            guard options.webSocketBinary else {
                close(code: .unacceptableData, reason: "Binary frames are not supported", context: context)
                return
            }
            guard !connection.closing else { return }
            message(Data(frame.unmaskedData.readableBytesView).base64EncodedString(), binary: true, context: context)
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .connectionClose:
            var data = frame.unmaskedData
            let code = data.readWebSocketErrorCode()
            connection.closeCode = code.map { Int(UInt16(webSocketErrorCode: $0)) } ?? 1005
            connection.closeReason = data.readString(length: data.readableBytes) ?? ""
            guard !connection.closing else {
                context.close(promise: nil)
                return
            }
            connection.closing = true
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

    /// Invokes a MESSAGE event; `binary`: `body` is the frame in base64 (`isBase64Encoded: true`).
    private func message(_ body: String, binary: Bool, context: ChannelHandlerContext) {
        guard connection.messagesInFlight < options.maxInFlightPerConnection else {
            log("api gateway: \(connection.id) sent a message with \(connection.messagesInFlight) unanswered (--websocket-max-in-flight); closing with 1013")
            close(code: Self.tryAgainLater, reason: "Too many messages in flight on this connection", context: context)
            return
        }
        connection.messagesInFlight += 1
        let channel = context.channel
        let connection = connection
        let event = GatewayEvents.webSocket(.message, connection: connection, text: body, isBase64Encoded: binary)
        let options = options
        invoker.invoke(event, on: channel.eventLoop).whenSuccess { result in
            connection.messagesInFlight -= 1
            guard channel.isActive else { return }
            var opcode = WebSocketOpcode.text
            let reply: [UInt8]
            switch result {
            case .answered(let buffer):
                let answer = ProxyAnswer(buffer)
                guard let body = answer.body else { return }
                guard body.count <= Self.messageLimit else {
                    log("api gateway: the answer to a message on \(connection.id) has \(body.count) bytes, over the \(Self.messageLimit)-byte WebSocket message limit")
                    reply = Self.internalError(connection)
                    break
                }
                if answer.isBase64Encoded && options.webSocketBinary { opcode = .binary }
                reply = body
            case .failed(let reason):
                log("api gateway: message on \(connection.id): \(reason)")
                reply = Self.internalError(connection)
            case .throttled:
                log("api gateway: the emulator's queue is full (--max-pending-invocations); closing \(connection.id) with 1013")
                Self.close(code: Self.tryAgainLater, reason: "Too many invocations queued", channel: channel, connection: connection)
                return
            }
            let frame = WebSocketFrame(fin: true, opcode: opcode, data: channel.allocator.buffer(bytes: reply))
            channel.writeAndFlush(frame, promise: nil)
        }
    }

    /// What API Gateway sends the client when the integration fails.
    private static func internalError(_ connection: GatewayConnection) -> [UInt8] {
        Array("{\"message\": \"Internal server error\", \"connectionId\":\"\(connection.id)\", \"requestId\":\"\(GatewayClock.requestID())\"}".utf8)
    }

    private func close(code: WebSocketErrorCode, reason: String, context: ChannelHandlerContext) {
        Self.close(code: code, reason: reason, channel: context.channel, connection: connection)
    }

    /// Sends a close frame once, then ends the connection.
    private static func close(code: WebSocketErrorCode, reason: String, channel: Channel, connection: GatewayConnection) {
        guard !connection.closing else { return }
        connection.closing = true
        connection.closeCode = Int(UInt16(webSocketErrorCode: code))
        connection.closeReason = reason
        var data = channel.allocator.buffer(capacity: 2 + reason.utf8.count)
        data.write(webSocketErrorCode: code)
        data.writeString(reason)
        let frame = WebSocketFrame(fin: true, opcode: .connectionClose, data: data)
        channel.writeAndFlush(frame).whenComplete { _ in channel.close(promise: nil) }
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
