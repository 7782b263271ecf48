import Kafka

/// MSK IAM tokens are the OAUTHBEARER tokens the Kafka clients hand to the brokers.
extension MSKAuthTokenProvider: OAuthBearerTokenProvider {
    public var tokenKind: String { "MSK IAM" }

    public func oauthBearerToken() throws -> OAuthBearerToken {
        let token = try token()
        return OAuthBearerToken(
            value: token.value, expiresAtEpochMilliseconds: token.expiresAtEpochMilliseconds, principalName: token.principalName)
    }
}
