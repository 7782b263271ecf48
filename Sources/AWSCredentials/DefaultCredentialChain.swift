import AWSSigV4
import Synchronization

/// The AWS SDKs' default credential chain, in botocore's order:
///
/// 1. environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`);
/// 2. the profile's role (`role_arn` with `source_profile` or `credential_source`) via STS `AssumeRole`;
/// 3. web identity (`AWS_ROLE_ARN` + `AWS_WEB_IDENTITY_TOKEN_FILE`, or the profile's) via `AssumeRoleWithWebIdentity`;
/// 4. the profile's keys in the shared credentials file, then 5. in the config file;
/// 6. the container credentials endpoint.
///
/// The profile is `AWS_PROFILE` (or `AWS_DEFAULT_PROFILE`), else `default`. SSO, `credential_process` and
/// EC2 instance metadata are not supported. The first configured source is kept for the life of the chain
/// (its credentials are refreshed before they expire); a configured source that fails stops the search,
/// as in the SDKs, and the error lists every source tried.
public final class DefaultCredentialChain: CredentialProvider {
    private let environment: [String: String]
    private let clock: any AWSClock
    private let refreshBeforeExpirySeconds: Int64
    private let timeout: Duration
    private let resolved = Mutex<(name: String, provider: RefreshingCredentialProvider)?>(nil)

    public init(
        environment: [String: String], clock: some AWSClock = SystemClock(),
        refreshBeforeExpirySeconds: Int64 = 300, timeout: Duration = .seconds(5)
    ) {
        self.environment = environment
        self.clock = clock
        self.refreshBeforeExpirySeconds = refreshBeforeExpirySeconds
        self.timeout = timeout
    }

    /// The name of the source in use, once one was found (for logs).
    public var sourceName: String? { resolved.withLock { $0?.name } }

    public func credentials() throws -> SigningCredentials {
        let provider = try resolved.withLock { resolved throws -> RefreshingCredentialProvider in
            if let resolved { return resolved.provider }
            let found = try resolve()
            resolved = found
            return found.provider
        }
        return try provider.credentials()
    }

    private enum Probe {
        case notConfigured(String)
        case configured(@Sendable () throws -> SigningCredentials)
    }

    private func resolve() throws -> (name: String, provider: RefreshingCredentialProvider) {
        var attempts: [CredentialSourceError] = []
        for (name, probe) in sources() {
            let outcome: Probe
            do {
                outcome = try probe()
            } catch {
                throw CredentialChainError(attempts: attempts + [error])
            }
            switch outcome {
            case .notConfigured(let reason):
                attempts.append(CredentialSourceError(source: name, reason: reason))
            case .configured(let fetch):
                let provider = RefreshingCredentialProvider(
                    clock: clock, refreshBeforeExpirySeconds: refreshBeforeExpirySeconds, fetch: fetch)
                do {
                    _ = try provider.credentials()
                } catch let error as CredentialSourceError {
                    throw CredentialChainError(attempts: attempts + [error])
                } catch {
                    throw CredentialChainError(attempts: attempts + [CredentialSourceError(source: name, reason: "\(error)")])
                }
                return (name, provider)
            }
        }
        attempts.append(CredentialSourceError(source: "instance metadata", reason: "not supported"))
        throw CredentialChainError(attempts: attempts)
    }

    private func sources() -> [(String, () throws(CredentialSourceError) -> Probe)] {
        let environment = self.environment
        let context = ProfileContext(environment: environment, clock: clock, timeout: timeout)
        let profileName = context.profileName
        let profile = context.files.profile(profileName)
        let fileProblems = context.files.problems.isEmpty ? "" : " (" + context.files.problems.joined(separator: "; ") + ")"
        return [
            ("environment", { () throws(CredentialSourceError) -> Probe in
                guard let keys = try EnvironmentCredentialProvider(environment: environment).resolve() else {
                    return .notConfigured("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")
                }
                return .configured { keys }
            }),
            ("profile \"\(profileName)\" role", { () throws(CredentialSourceError) -> Probe in
                if profile == nil && context.profileWasNamed {
                    throw CredentialSourceError(
                        source: "profile \"\(profileName)\"",
                        reason: "not found in \(context.files.credentialsPath) or \(context.files.configPath)\(fileProblems)")
                }
                guard let profile, profile["role_arn"] != nil, profile["web_identity_token_file"] == nil else {
                    return .notConfigured("no role_arn")
                }
                return .configured { try context.assumeRole(profileName: profileName) }
            }),
            (WebIdentitySource.name, { () throws(CredentialSourceError) -> Probe in
                guard let source = WebIdentitySource(context: context) else {
                    return .notConfigured("AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE are not set")
                }
                return .configured { try source.fetch() }
            }),
            (context.files.credentialsPath, { () throws(CredentialSourceError) -> Probe in
                guard let keys = try ProfileContext.staticKeys(
                    context.files.credentialsFile[profileName], file: context.files.credentialsPath, profileName: profileName)
                else { return .notConfigured("no keys for profile \"\(profileName)\"\(fileProblems)") }
                return .configured { keys }
            }),
            (context.files.configPath, { () throws(CredentialSourceError) -> Probe in
                guard let keys = try ProfileContext.staticKeys(
                    context.files.configFile[profileName], file: context.files.configPath, profileName: profileName)
                else { return .notConfigured("no keys for profile \"\(profileName)\"") }
                return .configured { keys }
            }),
            (ContainerCredentialSource.name, { [timeout] () throws(CredentialSourceError) -> Probe in
                guard let source = try ContainerCredentialSource(environment: environment, timeout: timeout) else {
                    return .notConfigured("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI are not set")
                }
                return .configured { try source.fetch() }
            }),
        ]
    }
}
