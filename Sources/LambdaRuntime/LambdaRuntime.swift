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
    ///   throws is posted to `/init/error` with its type.
    public static func run<Handler: LambdaHandler>(
        handlerFactory: (_ environment: [String: String]) throws -> Handler
    ) -> Never {
        let environment = ProcessEnvironment.current()
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

        var loop = RuntimeLoop(handler: handler, client: client, logger: logger)
        do {
            while true {
                try loop.serveNextInvocation()
            }
        } catch {
            exitWithReason(error.reason, logger: logger)
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

    static func exitWithReason(_ reason: String, logger: Logger) -> Never {
        logger.critical("Runtime exiting: \(reason)")
        exit(1)
    }
}
