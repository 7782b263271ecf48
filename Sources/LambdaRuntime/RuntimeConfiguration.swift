import Encoding
import Logging

/// What the runtime reads from its environment before the first `next`.
public struct RuntimeConfiguration: Sendable, Equatable {
    /// `AWS_LAMBDA_RUNTIME_API`: the Runtime API's `host:port`.
    public var runtimeAPI: String
    public var logFormat: LogFormat
    public var logLevel: Logger.Level
    /// `AWS_LAMBDA_LOG_LEVEL` when it named no known level (then `logLevel` is `.info`).
    public var unrecognisedLogLevel: String?
    /// `AWS_LAMBDA_MAX_CONCURRENCY` (Lambda Managed Instances): how many invocations this
    /// process serves at once, each on its own runtime loop. 1 when unset.
    public var maxConcurrency = 1
    /// The most loops one process runs; Managed Instances allow far fewer per vCPU.
    public static let concurrencyLimit = 1024
    /// `LAMBDA_RUNTIME_SHUTDOWN_GRACE_MS`: after SIGTERM, how long invocations in flight and the
    /// handler's shutdown may take before the process exits. Lambda allows 500 ms in all when
    /// only internal extensions are registered, 2 s with external ones.
    public var shutdownGrace: Duration = .milliseconds(300)
    /// `LAMBDA_RUNTIME_SHUTDOWN_EXTENSION=1`: register a no-op internal extension, so that Lambda
    /// sends SIGTERM at all.
    public var registersShutdownExtension = false

    public init(runtimeAPI: String, logFormat: LogFormat = .text, logLevel: Logger.Level = .info) {
        self.runtimeAPI = runtimeAPI
        self.logFormat = logFormat
        self.logLevel = logLevel
    }

    /// Reads `AWS_LAMBDA_RUNTIME_API`, `AWS_LAMBDA_LOG_FORMAT` and `AWS_LAMBDA_LOG_LEVEL`.
    public init(environment: [String: String]) throws(RuntimeConfigurationError) {
        guard let api = environment["AWS_LAMBDA_RUNTIME_API"], !api.isEmpty else {
            throw RuntimeConfigurationError(
                description: "AWS_LAMBDA_RUNTIME_API is not set; this program runs as an AWS Lambda custom runtime")
        }
        guard !api.contains("/"), !api.contains(where: \.isWhitespace) else {
            throw RuntimeConfigurationError(description: "AWS_LAMBDA_RUNTIME_API must be host:port")
        }
        self.init(runtimeAPI: api)
        logFormat = LogFormat(environmentValue: environment["AWS_LAMBDA_LOG_FORMAT"])
        if let text = environment["AWS_LAMBDA_MAX_CONCURRENCY"], !text.isEmpty {
            guard let value = IntegerText.value(text, in: 1...Self.concurrencyLimit) else {
                throw RuntimeConfigurationError(
                    description: "AWS_LAMBDA_MAX_CONCURRENCY must be an integer from 1 to \(Self.concurrencyLimit), got '\(text.prefix(16))'")
            }
            maxConcurrency = value
        }
        if let text = environment["LAMBDA_RUNTIME_SHUTDOWN_GRACE_MS"], !text.isEmpty {
            guard let value = IntegerText.value(text, in: 0...60_000) else {
                throw RuntimeConfigurationError(
                    description: "LAMBDA_RUNTIME_SHUTDOWN_GRACE_MS must be an integer from 0 to 60000, got '\(text.prefix(16))'")
            }
            shutdownGrace = .milliseconds(value)
        }
        registersShutdownExtension = ShutdownExtension.isRequested(in: environment)
        if let levelName = environment["AWS_LAMBDA_LOG_LEVEL"], !levelName.isEmpty {
            if let level = Logger.Level(lambdaName: levelName) {
                logLevel = level
            } else {
                unrecognisedLogLevel = levelName
            }
        }
    }
}

public struct RuntimeConfigurationError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

public enum LogFormat: String, Sendable {
    case text
    case json

    /// `JSON` (any case) selects JSON; anything else, including `Text` or nothing, plain text.
    public init(environmentValue: String?) {
        self = environmentValue?.uppercased() == "JSON" ? .json : .text
    }
}

extension Logger.Level {
    /// Parses the names Lambda uses for `AWS_LAMBDA_LOG_LEVEL`, in any case.
    public init?(lambdaName: String) {
        switch lambdaName.uppercased() {
        case "TRACE": self = .trace
        case "DEBUG": self = .debug
        case "INFO": self = .info
        case "WARN", "WARNING": self = .warning
        case "ERROR": self = .error
        case "FATAL", "CRITICAL": self = .critical
        default: return nil
        }
    }

    /// The name Lambda's log levels use: TRACE, DEBUG, INFO, WARN, ERROR or FATAL.
    public var lambdaName: String {
        switch self {
        case .trace: "TRACE"
        case .debug: "DEBUG"
        case .info, .notice: "INFO"
        case .warning: "WARN"
        case .error: "ERROR"
        case .critical: "FATAL"
        }
    }
}
