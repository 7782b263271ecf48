import Logging
import Synchronization

/// Receives librdkafka log lines on librdkafka's threads and forwards them with secrets masked.
///
/// librdkafka's debug contexts may print configuration values or SASL material; every configured
/// secret (the SASL password) and every token handed to librdkafka is replaced before a line leaves.
final class LogSink: Sendable {
    let logger: Logger
    private let configuredSecrets: [String]
    private let tokens = Mutex<[String]>([])
    private let brokerFailure = Mutex<String?>(nil)
    /// Tokens are replaced every few minutes; the most recent ones are enough to mask.
    static let rememberedTokens = 8
    static let mask = "<redacted>"

    init(logger: Logger, secrets: [String] = []) {
        self.logger = logger
        self.configuredSecrets = secrets.filter { !$0.isEmpty }
    }

    /// Masks `token` from now on (with the few tokens before it).
    func addToken(_ token: String) {
        guard !token.isEmpty else { return }
        tokens.withLock { tokens in
            guard !tokens.contains(token) else { return }
            tokens.append(token)
            if tokens.count > Self.rememberedTokens { tokens.removeFirst() }
        }
    }

    /// `text` with every known secret replaced by `<redacted>`.
    func redact(_ text: String) -> String {
        let secrets = configuredSecrets + tokens.withLock { $0 }
        var result = text
        for secret in secrets where result.contains(secret) {
            result = result.replacing(secret, with: Self.mask)
        }
        return result
    }

    func log(level: Int32, facility: String, message: String) {
        let redacted = redact(message)
        if facility == "FAIL" { brokerFailure.withLock { $0 = redacted } }
        logger.log(level: Self.level(syslog: level), "\(redacted)", metadata: ["librdkafka": .string(facility)])
    }

    /// The last "FAIL" line: why librdkafka last dropped or could not set up a broker connection
    /// (TLS handshake, SASL authentication, connection refused). Already redacted.
    var lastBrokerFailure: String? {
        get { brokerFailure.withLock { $0 } }
        set { brokerFailure.withLock { $0 = newValue } }
    }

    static func level(syslog: Int32) -> Logger.Level {
        switch syslog {
        case ...2: .critical
        case 3: .error
        case 4: .warning
        case 5: .notice
        case 6: .info
        default: .debug
        }
    }
}
