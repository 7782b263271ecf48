import AWSSigV4

/// Makes MSK IAM tokens the way AWS's signer libraries (aws-msk-iam-sasl-signer-python, -go, -js) do:
/// a presigned `GET https://kafka.<region>.amazonaws.com/?Action=kafka-cluster%3AConnect` for the
/// `kafka-cluster` service, valid 900 s, signing only `host`, with `User-Agent` appended after signing,
/// base64url-encoded without padding.
public final class MSKAuthTokenProvider: Sendable {
    public static let libraryVersion = "0.1.0"
    public static let defaultUserAgent = "swift-lambda-kafka/\(libraryVersion)"
    /// How long the presigned URL is valid, as the AWS signers set it.
    public static let tokenLifetimeSeconds: Int64 = 900
    public static let signingService = "kafka-cluster"

    public let region: String
    private let credentialProvider: any CredentialProvider
    private let clock: any AWSClock
    private let userAgent: String
    private let principalName: String
    private let signer: SigV4Signer

    /// - Throws: `MSKAuthError` when the region is not a plausible AWS region name.
    public init(
        region: String, credentials: some CredentialProvider, clock: some AWSClock = SystemClock(),
        userAgent: String = MSKAuthTokenProvider.defaultUserAgent, principalName: String = "msk-iam"
    ) throws(MSKAuthError) {
        guard !region.isEmpty, region.utf8.allSatisfy(Self.isRegionCharacter) else {
            throw .invalidRegion(region)
        }
        self.region = region
        self.credentialProvider = credentials
        self.clock = clock
        self.userAgent = userAgent
        self.principalName = principalName
        self.signer = SigV4Signer(region: region, service: Self.signingService)
    }

    /// A fresh token for the provider's current credentials.
    /// - Throws: the credential provider's error, or `MSKAuthError` for empty or expired credentials.
    public func token() throws -> MSKAuthToken {
        let credentials = try credentialProvider.credentials()
        guard !credentials.accessKeyID.isEmpty, !credentials.secretAccessKey.isEmpty else {
            throw MSKAuthError.emptyCredentials
        }
        let now = clock.now()
        var lifetime = Self.tokenLifetimeSeconds
        if let expiration = credentials.expiration {
            let remaining = expiration.epochSeconds - now.epochSeconds
            guard remaining > 0 else {
                throw MSKAuthError.expiredCredentials(accessKeyID: credentials.accessKeyID, expiration: expiration)
            }
            lifetime = min(lifetime, remaining)
        }
        let request = SigningRequest(
            method: "GET", host: "kafka.\(region).amazonaws.com", path: "/",
            query: [("Action", "kafka-cluster:Connect")])
        var presigned = signer.presign(
            request, credentials: credentials, date: now, expiresInSeconds: Int(Self.tokenLifetimeSeconds)
        ).request
        presigned.query.append(("User-Agent", userAgent))
        let url = presigned.url
        return MSKAuthToken(
            value: Base64URL.encodeWithoutPadding(Array(url.utf8)),
            expiresAtEpochMilliseconds: (now.epochSeconds + lifetime) * 1000,
            principalName: principalName, presignedURL: url)
    }

    private static func isRegionCharacter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            || byte == UInt8(ascii: "-")
    }
}
