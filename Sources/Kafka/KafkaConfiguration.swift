/// How to reach and authenticate to a Kafka cluster: plain values, no environment access.
public struct KafkaConfiguration: Sendable {
    /// Comma-separated `host:port` list.
    public var bootstrapServers: String
    /// TLS to the brokers; nil: plaintext. The broker's certificate and host name are always verified.
    public var tls: TLS?
    /// How the client proves its identity; nil: no authentication.
    public var sasl: SASL?
    /// Client tuning properties (see `TuningProperties`), applied in order; the client refuses any other name.
    public var properties: [(String, String)]

    public init(bootstrapServers: String, tls: TLS? = nil, sasl: SASL? = nil, properties: [(String, String)] = []) {
        self.bootstrapServers = bootstrapServers
        self.tls = tls
        self.sasl = sasl
        self.properties = properties
    }

    /// Settings that are allowed but weaken security, for the caller to log once.
    public var securityWarnings: [String] {
        if case .plain = sasl, tls == nil {
            return ["SASL/PLAIN without TLS sends the password unencrypted"]
        }
        return []
    }
}

extension KafkaConfiguration {
    public struct TLS: Sendable, Equatable {
        /// The certificate authorities a broker's certificate must chain to.
        public enum TrustRoots: Sendable, Equatable {
            /// The system's trust store.
            case systemDefault
            /// A PEM file of CA certificates (a private CA).
            case pemFile(path: String)
        }

        public var trustRoots: TrustRoots

        public init(trustRoots: TrustRoots = .systemDefault) {
            self.trustRoots = trustRoots
        }
    }

    /// The SASL mechanism and what it needs.
    public enum SASL: Sendable, Equatable {
        /// SASL/OAUTHBEARER with tokens from a provider, refreshed by librdkafka; needs TLS (Amazon MSK IAM).
        case oauthBearer(OAuthBearer)
        case plain(UserCredentials)
        case scramSHA256(UserCredentials)
        case scramSHA512(UserCredentials)

        /// librdkafka's `sasl.mechanism` value.
        public var mechanismName: String {
            switch self {
            case .oauthBearer: "OAUTHBEARER"
            case .plain: "PLAIN"
            case .scramSHA256: "SCRAM-SHA-256"
            case .scramSHA512: "SCRAM-SHA-512"
            }
        }
    }

    /// A SASL user name and password; the password never appears in a description.
    public struct UserCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
        public var username: String
        public var password: String

        public init(username: String, password: String) {
            self.username = username
            self.password = password
        }

        public var description: String { "UserCredentials(username: \(username), password: <redacted>)" }
        public var debugDescription: String { description }
    }
}
