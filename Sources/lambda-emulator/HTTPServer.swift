import LambdaEmulatorCore
import NIOCore
import NIOHTTP1
import NIOPosix

/// One listening socket of the emulator; `listener` says which routes it serves (the others answer 404).
enum HTTPServer {
    static func bind(
        host: String, port: Int, listener: EmulatorListener, group: EventLoopGroup, emulator: Emulator
    ) throws -> Channel {
        try ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(
                        HTTPRequestHandler(emulator: emulator, listener: listener, bodyLimit: Emulator.bodyLimit,
                                           connectionLimit: Emulator.connectionBodyLimit))
                }
            }
            .bind(host: host, port: port)
            .wait()
    }
}
