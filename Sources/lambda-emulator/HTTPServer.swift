import NIOCore
import NIOHTTP1
import NIOPosix

/// The single listening socket serving the Invoke API, the Runtime API and the admin endpoints.
enum HTTPServer {
    static func bind(host: String, port: Int, group: EventLoopGroup, emulator: Emulator) throws -> Channel {
        try ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(
                        HTTPRequestHandler(emulator: emulator, bodyLimit: Emulator.bodyLimit,
                                           connectionLimit: Emulator.connectionBodyLimit))
                }
            }
            .bind(host: host, port: port)
            .wait()
    }
}
