/// A SASL/OAUTHBEARER token as librdkafka takes it. The value is a credential: `description` never shows it.
public struct OAuthBearerToken: Sendable, CustomStringConvertible {
    public var value: String
    public var expiresAtEpochMilliseconds: Int64
    public var principalName: String

    public init(value: String, expiresAtEpochMilliseconds: Int64, principalName: String) {
        self.value = value
        self.expiresAtEpochMilliseconds = expiresAtEpochMilliseconds
        self.principalName = principalName
    }

    public var description: String {
        "OAuthBearerToken(principalName: \(principalName), expiresAtEpochMilliseconds: \(expiresAtEpochMilliseconds), value: <redacted>)"
    }
}

/// Makes OAUTHBEARER tokens on librdkafka's refresh requests (on its background thread). The Kafka
/// wrapper knows nothing of where tokens come from (MSK IAM implements this in `MSKIAMAuth`).
public protocol OAuthBearerTokenProvider: AnyObject, Sendable {
    /// What the tokens are, for messages: "MSK IAM" gives "cannot make an MSK IAM token: ...".
    var tokenKind: String { get }
    /// A fresh token. Errors must not hold key material: their text is logged.
    func oauthBearerToken() throws -> OAuthBearerToken
}

/// SASL/OAUTHBEARER settings: the token provider every client of the process shares (so credentials
/// are resolved and refreshed once, not per client).
public struct OAuthBearer: Sendable, Equatable, CustomStringConvertible {
    public let tokenProvider: any OAuthBearerTokenProvider

    public init(tokenProvider: any OAuthBearerTokenProvider) {
        self.tokenProvider = tokenProvider
    }

    public static func == (lhs: OAuthBearer, rhs: OAuthBearer) -> Bool {
        lhs.tokenProvider === rhs.tokenProvider
    }

    public var description: String { "OAuthBearer(\(tokenProvider.tokenKind))" }
}
