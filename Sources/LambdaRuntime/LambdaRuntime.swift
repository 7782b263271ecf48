#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging

/// The custom runtime's entry point: configuration, handler creation, then the invocation loop.
public enum LambdaRuntime {
    /// Serves invocations until the process is stopped; exits non-zero when it cannot go on.
    ///
    /// - Parameter handlerFactory: makes the handler from the process environment. It runs once,
    ///   before the first `next`; keep it to reading configuration. A `LambdaFunctionError` it
    ///   throws is posted to `/init/error` with its type. With `AWS_LAMBDA_MAX_CONCURRENCY=N`
    ///   (N > 1) each of the N loops gets its own copy of the handler and its own Runtime API
    ///   connection; whatever the copies share (reference members) must be thread-safe.
    public static func run<Handler: LambdaHandler & Sendable>(
        handlerFactory: (_ environment: [String: String]) throws -> Handler
    ) -> Never {
        let environment = ProcessEnvironment.current()
        // Before any other thread exists, so that only the shutdown watcher receives SIGTERM.
        GracefulShutdown.blockTerminationSignal()
        let configuration: RuntimeConfiguration
        do {
            configuration = try RuntimeConfiguration(environment: environment)
        } catch {
            LambdaLogging.bootstrap(format: LogFormat(environmentValue: environment["AWS_LAMBDA_LOG_FORMAT"]), level: .info)
            Logger(label: "lambda-runtime").critical("Cannot start: \(error.description)")
            exit(1)
        }
        LambdaLogging.bootstrap(format: configuration.logFormat, level: configuration.logLevel)
        let logger = Logger(label: "lambda-runtime")
        if let unrecognised = configuration.unrecognisedLogLevel {
            logger.warning("AWS_LAMBDA_LOG_LEVEL \(unrecognised) is not one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL; using INFO")
        }

        let client: RuntimeAPIClient
        do {
            client = try RuntimeAPIClient(endpoint: configuration.runtimeAPI, logger: logger)
        } catch {
            exitWithReason("Cannot create the Runtime API client: \(error.message)", logger: logger)
        }

        let handler: Handler
        do {
            handler = try handlerFactory(environment)
        } catch {
            reportInitError(error, client: client, logger: logger)
        }

        let shutdown = GracefulShutdown(grace: configuration.shutdownGrace)
        guard shutdown.watch(logger: logger, settle: { handler.shutdown(deadline: $0) }) else {
            exitWithReason("Cannot start the SIGTERM watcher thread", logger: logger)
        }
        if configuration.registersShutdownExtension {
            _ = ShutdownExtension.register(endpoint: configuration.runtimeAPI, logger: logger)
        }

        let concurrency = configuration.maxConcurrency
        if concurrency > 1 {
            logger.info("Serving up to \(concurrency) invocations at once (AWS_LAMBDA_MAX_CONCURRENCY)")
            for _ in 1..<concurrency {
                let extraClient: RuntimeAPIClient
                do {
                    extraClient = try RuntimeAPIClient(endpoint: configuration.runtimeAPI, logger: logger)
                } catch {
                    exitWithReason("Cannot create a Runtime API client: \(error.message)", logger: logger)
                }
                let loop = UncheckedLoop(RuntimeLoop(
                    handler: handler, client: extraClient, logger: logger, isOnlyLoop: false, shutdown: shutdown))
                guard LoopThread.start({ serve(loop.take()) }) else {
                    exitWithReason("Cannot start runtime loop thread", logger: logger)
                }
            }
        }
        serve(RuntimeLoop(handler: handler, client: client, logger: logger, isOnlyLoop: concurrency == 1, shutdown: shutdown))
    }

    /// Runs one loop until the Runtime API fails it for good, then ends the process: a loop that
    /// stopped would leave Lambda believing it still had that slot.
    private static func serve<Handler>(_ loop: RuntimeLoop<Handler>) -> Never {
        var loop = loop
        do {
            while true {
                try loop.serveNextInvocation()
            }
        } catch {
            exitWithReason(error.reason, logger: loop.logger)
        }
    }

    private static func reportInitError(_ error: any Error, client: RuntimeAPIClient, logger: Logger) -> Never {
        let answer = ErrorAnswer(error)
        logger.critical("Initialisation failed: \(answer.errorType): \(answer.errorMessage)")
        do {
            let outcome = try client.postInitError(errorType: answer.errorType, body: answer.body)
            if case .rejected(let status, let message) = outcome {
                logger.error("The Runtime API refused the init error with HTTP \(status): \(message)")
            }
        } catch {
            logger.error("Could not post the init error: \(error.description)")
        }
        exitWithReason("initialisation failed (\(answer.errorType))", logger: logger)
    }

    /// Hands a loop (and its `RuntimeAPIClient`, which is not thread-safe) to the thread that
    /// will own it; nothing else touches it afterwards.
    private struct UncheckedLoop<Handler: LambdaHandler>: @unchecked Sendable {
        private let loop: RuntimeLoop<Handler>
        init(_ loop: RuntimeLoop<Handler>) { self.loop = loop }
        func take() -> RuntimeLoop<Handler> { loop }
    }

    static func exitWithReason(_ reason: String, logger: Logger) -> Never {
        logger.critical("Runtime exiting: \(reason)")
        exit(1)
    }
}
