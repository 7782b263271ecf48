import AWSSigV4

/// An MSK IAM authentication token: the SASL/OAUTHBEARER token value for librdkafka.
///
/// The value is a presigned URL, so it grants access until it expires: `description` never shows it.
public struct MSKAuthToken: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The base64url-encoded (unpadded) presigned URL to hand to the broker.
    public let value: String
    /// When to stop using the token: the earlier of the URL's expiry and the credentials' expiry.
    public let expiresAtEpochMilliseconds: Int64
    /// A non-secret label for the OAUTHBEARER principal name; MSK identifies the caller from the signature.
    public let principalName: String
    /// The presigned URL the value encodes; as secret as the value.
    public let presignedURL: String

    public var description: String {
        "MSKAuthToken(principalName: \(principalName), expiresAtEpochMilliseconds: \(expiresAtEpochMilliseconds), value: <redacted>)"
    }

    public var debugDescription: String { description }
}

/// Why a token could not be made. Messages never hold key material.
public struct MSKAuthError: Error, Sendable, CustomStringConvertible {
    public let description: String

    static func invalidRegion(_ region: String) -> MSKAuthError {
        MSKAuthError(description: "invalid AWS region \"\(region.prefix(64))\": expected lower-case letters, digits and dashes")
    }

    static let emptyCredentials = MSKAuthError(description: "the credentials have an empty access key ID or secret access key")

    static func expiredCredentials(accessKeyID: String, expiration: AWSTimestamp) -> MSKAuthError {
        MSKAuthError(description: "the credentials for access key \(accessKeyID) expired at \(expiration)")
    }
}
