import MSKIAMAuth

/// Transport security and authentication (`KAFKA_TLS`, `KAFKA_AUTH` and their companions).
public struct KafkaSecurity: Sendable, Equatable {
    /// TLS to the brokers; the broker's certificate and host name are always verified.
    public var tls: Bool
    public var authentication: KafkaAuthentication
    /// A PEM bundle of the CAs to trust (`KAFKA_CA_FILE`); nil: the system's trust store.
    public var caFile: String?

    public init(tls: Bool, authentication: KafkaAuthentication, caFile: String? = nil) {
        self.tls = tls
        self.authentication = authentication
        self.caFile = caFile
    }

    public static let plaintext = KafkaSecurity(tls: false, authentication: .none)

    /// Settings that are allowed but weaken security, for the caller to log once.
    public var warnings: [String] {
        if case .sasl(let credentials) = authentication, credentials.mechanism == .plain, !tls {
            return ["KAFKA_AUTH=plain with KAFKA_TLS=false sends the password unencrypted"]
        }
        return []
    }
}

/// How the client proves its identity to the brokers.
public enum KafkaAuthentication: Sendable, Equatable {
    case none
    /// Amazon MSK IAM: SASL/OAUTHBEARER with a presigned-URL token, refreshed by librdkafka.
    case mskIAM(MSKIAMAuthentication)
    /// SASL/PLAIN or SASL/SCRAM with a user name and password.
    case sasl(SASLCredentials)
}

public enum SASLMechanism: String, Sendable, CaseIterable {
    case plain = "PLAIN"
    case scramSHA256 = "SCRAM-SHA-256"
    case scramSHA512 = "SCRAM-SHA-512"
}

/// A SASL user name and password; the password never appears in a description.
public struct SASLCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public var mechanism: SASLMechanism
    public var username: String
    public var password: String

    public init(mechanism: SASLMechanism, username: String, password: String) {
        self.mechanism = mechanism
        self.username = username
        self.password = password
    }

    public var description: String { "SASLCredentials(\(mechanism.rawValue), username: \(username), password: <redacted>)" }
    public var debugDescription: String { description }
}

/// MSK IAM settings: the region to sign for and the token provider every client of the process shares
/// (so the credential chain is resolved and refreshed once, not per client).
public struct MSKIAMAuthentication: Sendable, Equatable, CustomStringConvertible {
    public let tokenProvider: MSKAuthTokenProvider
    public var region: String { tokenProvider.region }

    public init(tokenProvider: MSKAuthTokenProvider) {
        self.tokenProvider = tokenProvider
    }

    public static func == (lhs: MSKIAMAuthentication, rhs: MSKIAMAuthentication) -> Bool {
        lhs.tokenProvider === rhs.tokenProvider
    }

    public var description: String { "MSKIAMAuthentication(region: \(region))" }
}
