import MSKIAMAuth

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
