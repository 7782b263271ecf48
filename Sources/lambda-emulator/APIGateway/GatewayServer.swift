import LambdaEmulatorCore
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// The local API gateway: one loopback port serving HTTP (payload 2.0 events) at `/`, the
/// WebSocket API (CONNECT/MESSAGE/DISCONNECT events) at `/ws`, and the web page at `GET /`.
enum GatewayServer {
    private static let httpHandlerName = "gateway-http"

    static func bind(
        port: Int, group: EventLoopGroup, emulator: Emulator, page: GatewayPage?, options: GatewayOptions
    ) throws -> Channel {
        let invoker = GatewayInvoker(emulator: emulator)
        return try ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                let local = channel.localAddress
                let host = "127.0.0.1:\(local?.port ?? port)"
                let connection = GatewayConnection(host: host, sourceIP: channel.remoteAddress?.ipAddress ?? "127.0.0.1")
                let access = GatewayAccess(allowedOrigins: options.allowedOrigins, port: local?.port ?? port)
                let upgrader = webSocketUpgrader(invoker: invoker, connection: connection, access: access, options: options)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                        withServerUpgrade: (upgraders: [upgrader], completionHandler: { _ in }),
                        withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(
                        GatewayHTTPHandler(invoker: invoker, connection: connection, page: page, access: access),
                        name: httpHandlerName)
                }
            }
            .bind(host: "127.0.0.1", port: port)
            .wait()
    }

    /// `$connect` decides: a 2xx answer completes the handshake; anything else refuses it with that status.
    private static func webSocketUpgrader(
        invoker: GatewayInvoker, connection: GatewayConnection, access: GatewayAccess, options: GatewayOptions
    ) -> NIOWebSocketServerUpgrader {
        NIOWebSocketServerUpgrader(
            maxFrameSize: GatewayWebSocketHandler.messageLimit,
            automaticErrorHandling: true,
            shouldUpgrade: { channel, head in
                guard GatewayEvents.splitURI(head.uri).path == "/ws" else {
                    return channel.eventLoop.makeSucceededFuture(nil)
                }
                // Browsers send no preflight before a WebSocket: the Origin check is the only guard.
                if access.refusal(host: head.headers.first(name: "Host"), origin: head.headers.first(name: "Origin")) != nil {
                    connection.refusedStatus = 403  // the HTTP handler answers it and logs why
                    return channel.eventLoop.makeSucceededFuture(nil)
                }
                let event = GatewayEvents.webSocket(.connect, connection: connection, handshake: head)
                return invoker.invoke(event, on: channel.eventLoop).map { result -> HTTPHeaders? in
                    switch result {
                    case .answered(let buffer):
                        let status = ProxyAnswer(buffer).statusCode
                        if (200..<300).contains(status) { return HTTPHeaders() }
                        connection.refusedStatus = status
                    case .failed(let reason):
                        log("api gateway: $connect of \(connection.id): \(reason)")
                        connection.refusedStatus = 500
                    case .throttled:
                        connection.refusedStatus = 429
                    }
                    return nil
                }
            },
            upgradePipelineHandler: { channel, _ in
                // NIO removes its own HTTP handlers on upgrade; ours goes too.
                channel.pipeline.removeHandler(name: httpHandlerName).flatMapThrowing {
                    try channel.pipeline.syncOperations.addHandlers([
                        NIOWebSocketFrameAggregator(
                            minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 1024,
                            maxAccumulatedFrameSize: GatewayWebSocketHandler.messageLimit),
                        GatewayWebSocketHandler(invoker: invoker, connection: connection, options: options),
                    ])
                }
            })
    }
}
