import AWSSigV4

/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and the optional `AWS_SESSION_TOKEN`
/// (and `AWS_CREDENTIAL_EXPIRATION`, ISO 8601, as botocore reads it).
public struct EnvironmentCredentialProvider: CredentialProvider {
    private let environment: [String: String]

    public init(environment: [String: String]) {
        self.environment = environment
    }

    /// `nil` when the variables are not set, so a chain moves on.
    func resolve() throws(CredentialSourceError) -> SigningCredentials? {
        let accessKeyID = environment.nonEmpty("AWS_ACCESS_KEY_ID")
        let secret = environment.nonEmpty("AWS_SECRET_ACCESS_KEY")
        if accessKeyID == nil && secret == nil { return nil }
        guard let accessKeyID, let secret else {
            throw CredentialSourceError(
                source: "environment",
                reason: accessKeyID == nil ? "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not"
                    : "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
        }
        var expiration: AWSTimestamp?
        if let text = environment.nonEmpty("AWS_CREDENTIAL_EXPIRATION") {
            guard let parsed = AWSTimestamp(iso8601: text) else {
                throw CredentialSourceError(source: "environment", reason: "AWS_CREDENTIAL_EXPIRATION is not ISO 8601")
            }
            expiration = parsed
        }
        return SigningCredentials(
            accessKeyID: accessKeyID, secretAccessKey: secret, sessionToken: environment.nonEmpty("AWS_SESSION_TOKEN"),
            expiration: expiration)
    }

    public func credentials() throws -> SigningCredentials {
        guard let credentials = try resolve() else {
            throw CredentialSourceError(source: "environment", reason: "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")
        }
        return credentials
    }
}
