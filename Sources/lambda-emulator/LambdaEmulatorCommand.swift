import ArgumentParser
import Foundation
import LambdaEmulatorCore
import NIOCore
import NIOPosix

@main
struct LambdaEmulatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lambda-emulator",
        abstract: "Serves the Lambda Runtime API and Invoke API locally and runs a bootstrap against them.",
        discussion: """
            Invoke like the Runtime Interface Emulator:
              curl -d '{}' http://127.0.0.1:8080/2015-03-31/functions/function/invocations
            The Invoke API listens on --host/--port. The Runtime API and the admin routes listen
            on 127.0.0.1:--runtime-api-port only (the bootstrap's AWS_LAMBDA_RUNTIME_API), as RIE
            keeps its Runtime API on loopback; both addresses are printed at start.
            Admin: GET /_emulator/status; GET|POST|DELETE /_emulator/faults with
              {"next_delay_ms": N, "response_status": S, "count": K}
            """)

    /// The Runtime API and the admin routes are never served beyond this address.
    static let runtimeAPIHost = "127.0.0.1"

    @Option(help: "The port the Invoke API listens on; 0 picks a free one.")
    var port = 8080

    @Option(help: "The address the Invoke API listens on (0.0.0.0 in the container image).")
    var host = "127.0.0.1"

    @Option(name: .customLong("runtime-api-port"),
            help: "The loopback port of the Runtime API and admin routes; 0 picks a free one.")
    var runtimeAPIPort = 0

    @Option(help: "Invocation timeout in seconds (default: AWS_LAMBDA_FUNCTION_TIMEOUT, else 300).")
    var timeout: Double?

    @Option(name: .customLong("api-gateway"), help: ArgumentHelp(
        "Also serve a local API gateway on this loopback port (0 picks one): HTTP API events at /, WebSocket API events at /ws.",
        valueName: "port"))
    var apiGatewayPort: Int?

    @Option(help: ArgumentHelp("The page the local API gateway serves at GET / (default: web/index.html if it exists).", valueName: "file"))
    var webPage: String?

    @Option(name: .customLong("allow-origin"), help: ArgumentHelp(
        "An origin (http(s)://host[:port]) whose pages may open the gateway's WebSocket and call it cross-origin, besides its own; repeatable. Requests under a non-loopback Host are always refused.",
        valueName: "origin"))
    var allowedOrigins: [String] = []

    @Flag(name: .customLong("websocket-binary"), help: ArgumentHelp(
        "Pass binary WebSocket frames to the function (base64, isBase64Encoded: true) and send answers with isBase64Encoded: true back as binary frames. Without it a binary frame closes the connection with 1003, as API Gateway does."))
    var webSocketBinary = false

    @Option(name: .customLong("websocket-max-in-flight"), help: ArgumentHelp(
        "Messages one gateway WebSocket connection may have unanswered at once; one more closes it with 1013 (Try Again Later).",
        valueName: "n"))
    var webSocketMaxInFlight = 64

    @Option(name: .customLong("max-pending-invocations"), help: ArgumentHelp(
        "Invocations queued for the bootstrap at most; beyond it the Invoke API answers 429 (TooManyRequestsException), the gateway HTTP 429 and a WebSocket message closes its connection with 1013.",
        valueName: "n"))
    var maxPendingInvocations = 256

    @Argument(parsing: .postTerminator, help: "The bootstrap to run and its arguments, after --.")
    var bootstrapArguments: [String] = []

    func validate() throws {
        guard let path = bootstrapArguments.first else {
            throw ValidationError("name the bootstrap to run after --")
        }
        guard access(path, X_OK) == 0 else {
            throw ValidationError("\(path) is not an executable file")
        }
        guard (0...65535).contains(port) else {
            throw ValidationError("--port must be between 0 and 65535")
        }
        guard (0...65535).contains(runtimeAPIPort) else {
            throw ValidationError("--runtime-api-port must be between 0 and 65535")
        }
        if let apiGatewayPort, !(0...65535).contains(apiGatewayPort) {
            throw ValidationError("--api-gateway must be between 0 and 65535")
        }
        if let invalid = allowedOrigins.first(where: { !GatewayAccess.isValidOriginOption($0) }) {
            throw ValidationError("--allow-origin takes an origin such as https://app.example.com (no path, wildcard or null), got '\(invalid)'")
        }
        guard (1...100_000).contains(webSocketMaxInFlight) else {
            throw ValidationError("--websocket-max-in-flight must be between 1 and 100000")
        }
        guard (1...1_000_000).contains(maxPendingInvocations) else {
            throw ValidationError("--max-pending-invocations must be between 1 and 1000000")
        }
        if let timeout, !(timeout > 0 && timeout <= 86_400) {
            throw ValidationError("--timeout must be a positive number of seconds")
        }
    }

    func run() throws {
        signal(SIGPIPE, SIG_IGN)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let inherited = ProcessInfo.processInfo.environment
        let timeoutSeconds = LambdaEnvironment.timeoutSeconds(option: timeout, inherited: inherited)

        let arguments = bootstrapArguments
        let emulator = Emulator(loop: loop, configuration: EmulatorConfiguration(
            bootstrapArguments: arguments, environment: [:], timeoutSeconds: timeoutSeconds,
            maxPendingInvocations: maxPendingInvocations))
        let runtimeServer = try HTTPServer.bind(
            host: Self.runtimeAPIHost, port: runtimeAPIPort, listener: .runtime, group: group, emulator: emulator)
        let runtimeAddress = "\(Self.runtimeAPIHost):\(runtimeServer.localAddress?.port ?? runtimeAPIPort)"
        let server = try HTTPServer.bind(host: host, port: port, listener: .invocations, group: group, emulator: emulator)
        let boundPort = server.localAddress?.port ?? port
        // Bound before the bootstrap starts, so a port in use fails the command with nothing left running.
        let gateway = try apiGatewayPort.map { try startGateway(port: $0, group: group, emulator: emulator) }
        let taskRoot = URL(fileURLWithPath: arguments[0]).standardizedFileURL.deletingLastPathComponent().path
        // The bootstrap's environment names the bound port, so it is only known now.
        let environment = LambdaEnvironment.make(
            inherited: inherited, runtimeAPI: runtimeAddress, timeoutSeconds: timeoutSeconds, taskRoot: taskRoot)

        let signalSources = installSignalHandlers(emulator)
        // Started before the line is printed: an invocation that follows the line at once must
        // find the environment (and the first bootstrap) in place.
        try loop.submit { emulator.start(environment: environment) }.wait()
        // The Invoke API line comes last: callers take it as the sign that the emulator is ready.
        writeLine("lambda-emulator runtime API and admin routes on \(runtimeAddress)", to: STDOUT_FILENO)
        writeLine("lambda-emulator listening on \(host):\(boundPort)", to: STDOUT_FILENO)
        if let gateway {
            let address = "127.0.0.1:\(gateway.localAddress?.port ?? 0)"
            writeLine("api gateway: http://\(address)/ (WebSocket ws://\(address)/ws)", to: STDOUT_FILENO)
        }
        try emulator.stopped.wait()
        try? gateway?.close().wait()
        try? server.close().wait()
        try? runtimeServer.close().wait()
        signalSources.forEach { $0.cancel() }
        try group.syncShutdownGracefully()
        log("stopped")
    }

    private func startGateway(port: Int, group: EventLoopGroup, emulator: Emulator) throws -> Channel {
        let pagePath = webPage ?? (FileManager.default.fileExists(atPath: "web/index.html") ? "web/index.html" : nil)
        let options = GatewayOptions(
            allowedOrigins: allowedOrigins, webSocketBinary: webSocketBinary, maxInFlightPerConnection: webSocketMaxInFlight)
        return try GatewayServer.bind(
            port: port, group: group, emulator: emulator, page: pagePath.map(GatewayPage.init), options: options)
    }

    private func installSignalHandlers(_ emulator: Emulator) -> [DispatchSourceSignal] {
        [(SIGTERM, "SIGTERM"), (SIGINT, "SIGINT")].map { number, name in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                emulator.loop.execute { emulator.shutdown(reason: name) }
            }
            source.resume()
            return source
        }
    }
}
