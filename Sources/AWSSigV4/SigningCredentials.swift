/// An AWS access key pair, with the session token of temporary credentials.
///
/// `description` and `debugDescription` never show the secret or the token, so an accidental
/// interpolation into a log line or an error message leaks nothing.
public struct SigningCredentials: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public var accessKeyID: String
    public var secretAccessKey: String
    public var sessionToken: String?
    /// When temporary credentials stop working; `nil` for long-term keys.
    public var expiration: AWSTimestamp?

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, expiration: AWSTimestamp? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
    }

    /// Seconds these credentials stay valid after `now`; `nil` when they do not expire.
    public func remainingLifetime(at now: AWSTimestamp) -> Int64? {
        expiration.map { $0.epochSeconds - now.epochSeconds }
    }

    public var description: String {
        var text = "SigningCredentials(accessKeyID: \(accessKeyID), secretAccessKey: <redacted>"
        if sessionToken != nil { text += ", sessionToken: <redacted>" }
        if let expiration { text += ", expiration: \(expiration)" }
        return text + ")"
    }

    public var debugDescription: String { description }
}

/// Anything that can hand out credentials to sign with.
///
/// Implementations cache and refresh as they see fit; callers ask again for every signature.
public protocol CredentialProvider: Sendable {
    func credentials() throws -> SigningCredentials
}

/// Always the same credentials: for tests and for keys given on a command line.
public struct StaticCredentialProvider: CredentialProvider {
    private let value: SigningCredentials

    public init(_ credentials: SigningCredentials) {
        self.value = credentials
    }

    public func credentials() -> SigningCredentials { value }
}
