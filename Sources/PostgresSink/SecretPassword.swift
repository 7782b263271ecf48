import AWSCredentials
import Synchronization

/// Where the sink's password comes from when it is read at run time rather than configured.
public protocol SinkPasswordSource: Sendable {
    /// The password: the cached one, or a fresh read when `refresh` is set or nothing is cached.
    func password(refresh: Bool) throws(SinkError) -> String
}

/// The `password` field of a Secrets Manager secret (`{"password": "..."}`, as RDS keeps them), read
/// with `GetSecretValue` on first use, cached, and read again when the database refused it (rotation).
public final class SecretsManagerPassword: SinkPasswordSource {
    public let secretARN: String
    private let client: SecretsManagerClient
    private let cached = Mutex<String?>(nil)

    public init(secretARN: String, client: SecretsManagerClient) {
        self.secretARN = secretARN
        self.client = client
    }

    public func password(refresh: Bool) throws(SinkError) -> String {
        try cached.withLock { cached throws(SinkError) -> String in
            if !refresh, let cached { return cached }
            do throws(SecretsManagerError) {
                let text = try client.secretString(secretARN)
                let password = try SecretsManagerClient.field("password", ofJSONSecret: text, secretID: secretARN)
                cached = password
                return password
            } catch {
                throw SinkError(.authenticationFailed, "Cannot read the database password: \(error.message)")
            }
        }
    }
}
