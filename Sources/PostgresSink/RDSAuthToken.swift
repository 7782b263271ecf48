import AWSSigV4

/// An RDS IAM database authentication token: the presigned `rds-db:connect` URL without its scheme,
/// used as the password. It lets anyone log in as the user until it expires: `description` hides it.
public struct RDSAuthToken: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public let value: String
    public let createdAtEpochSeconds: Int64

    public var description: String { "RDSAuthToken(createdAtEpochSeconds: \(createdAtEpochSeconds), value: <redacted>)" }
    public var debugDescription: String { description }
}

/// Makes the tokens `aws rds generate-db-auth-token` (botocore's `generate_db_auth_token`) makes: a
/// presigned `GET https://host:port/?Action=connect&DBUser=user` for the `rds-db` service, valid 900 s,
/// signing only `host`, without the `https://`.
public struct RDSAuthTokenGenerator: Sendable {
    public static let lifetimeSeconds = 900
    public static let signingService = "rds-db"

    public let region: String
    private let credentials: any CredentialProvider
    private let clock: any AWSClock
    private let signer: SigV4Signer

    public init(region: String, credentials: some CredentialProvider, clock: some AWSClock = SystemClock()) {
        self.region = region
        self.credentials = credentials
        self.clock = clock
        self.signer = SigV4Signer(region: region, service: Self.signingService)
    }

    /// - Throws: `SinkError.authenticationFailed` when no usable credentials are found; the message
    ///   names the source, never key material.
    public func token(host: String, port: Int, user: String) throws(SinkError) -> RDSAuthToken {
        let current: SigningCredentials
        do {
            current = try credentials.credentials()
        } catch {
            throw SinkError(.authenticationFailed, "No AWS credentials for the RDS IAM token: \(error)")
        }
        guard !current.accessKeyID.isEmpty, !current.secretAccessKey.isEmpty else {
            throw SinkError(.authenticationFailed, "The AWS credentials have an empty access key ID or secret access key")
        }
        let now = clock.now()
        if let expiration = current.expiration, expiration.epochSeconds <= now.epochSeconds {
            throw SinkError(.authenticationFailed, "The AWS credentials for access key \(current.accessKeyID) expired at \(expiration)")
        }
        let request = SigningRequest(
            method: "GET", host: "\(host.lowercased()):\(port)", path: "/",
            query: [("Action", "connect"), ("DBUser", user)])
        let url = signer.presign(request, credentials: current, date: now, expiresInSeconds: Self.lifetimeSeconds).url
        let scheme = "https://"
        return RDSAuthToken(value: String(url.dropFirst(scheme.count)), createdAtEpochSeconds: now.epochSeconds)
    }
}
