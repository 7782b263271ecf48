/// Why one credential source gave nothing. Reasons name variables, files and HTTP statuses, never secrets.
public struct CredentialSourceError: Error, Sendable, CustomStringConvertible {
    public let source: String
    public let reason: String

    public init(source: String, reason: String) {
        self.source = source
        self.reason = reason
    }

    public var description: String { "\(source): \(reason)" }
}

/// No source in the chain produced credentials: each attempt and why it failed, in chain order.
public struct CredentialChainError: Error, Sendable, CustomStringConvertible {
    public let attempts: [CredentialSourceError]

    public var description: String {
        "no AWS credentials found; tried " + attempts.map(\.description).joined(separator: "; ")
    }
}
