import Logging

/// What the runtime reads from its environment before the first `next`.
public struct RuntimeConfiguration: Sendable, Equatable {
    /// `AWS_LAMBDA_RUNTIME_API`: the Runtime API's `host:port`.
    public var runtimeAPI: String
    public var logFormat: LogFormat
    public var logLevel: Logger.Level
    /// `AWS_LAMBDA_LOG_LEVEL` when it named no known level (then `logLevel` is `.info`).
    public var unrecognisedLogLevel: String?

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
