import AWSSigV4

/// What the profile-based sources need: the files, the chosen profile and how to reach STS.
struct ProfileContext: Sendable {
    let files: SharedConfigFiles
    let profileName: String
    /// `AWS_PROFILE` (or `AWS_DEFAULT_PROFILE`) named it, so its absence is an error, not a skip.
    let profileWasNamed: Bool
    let environment: [String: String]
    let clock: any AWSClock
    let timeout: Duration

    init(environment: [String: String], clock: any AWSClock, timeout: Duration) {
        self.environment = environment
        self.clock = clock
        self.timeout = timeout
        files = SharedConfigFiles.load(environment: environment)
        let named = environment.nonEmpty("AWS_PROFILE") ?? environment.nonEmpty("AWS_DEFAULT_PROFILE")
        profileName = named ?? "default"
        profileWasNamed = named != nil
    }

    var region: String? {
        environment.nonEmpty("AWS_REGION") ?? environment.nonEmpty("AWS_DEFAULT_REGION") ?? files.profile(profileName)?["region"]
    }

    func sts() -> STSClient { STSClient(environment: environment, region: region, timeout: timeout) }

    func defaultSessionName() -> String { "swift-lambda-kafka-\(clock.now().epochSeconds)" }

    /// Static keys of a profile from one file's sections; `nil` when it has none.
    static func staticKeys(_ profile: [String: String]?, file: String, profileName: String) throws(CredentialSourceError) -> SigningCredentials? {
        guard let profile else { return nil }
        let accessKeyID = profile["aws_access_key_id"].flatMap { $0.isEmpty ? nil : $0 }
        let secret = profile["aws_secret_access_key"].flatMap { $0.isEmpty ? nil : $0 }
        if accessKeyID == nil && secret == nil { return nil }
        guard let accessKeyID, let secret else {
            throw CredentialSourceError(
                source: file, reason: "profile \"\(profileName)\" has only one of aws_access_key_id and aws_secret_access_key")
        }
        let token = profile["aws_session_token"].flatMap { $0.isEmpty ? nil : $0 }
        return SigningCredentials(accessKeyID: accessKeyID, secretAccessKey: secret, sessionToken: token)
    }

    /// Assumes the role of a profile with `role_arn`, resolving `source_profile` (possibly itself a role,
    /// to a bounded depth) or `credential_source`.
    func assumeRole(profileName: String, visited: [String] = []) throws(CredentialSourceError) -> SigningCredentials {
        let source = "profile \"\(profileName)\" role"
        guard let profile = files.profile(profileName), let roleARN = profile["role_arn"] else {
            throw CredentialSourceError(source: source, reason: "profile has no role_arn")
        }
        guard visited.count < 8, !visited.contains(profileName) else {
            throw CredentialSourceError(source: source, reason: "source_profile chain loops: \((visited + [profileName]).joined(separator: " -> "))")
        }
        let sourceCredentials: SigningCredentials
        if let sourceProfile = profile["source_profile"] {
            guard let sourceSettings = files.profile(sourceProfile) else {
                throw CredentialSourceError(source: source, reason: "source_profile \"\(sourceProfile)\" does not exist")
            }
            if sourceSettings["role_arn"] != nil && sourceProfile != profileName {
                sourceCredentials = try assumeRole(profileName: sourceProfile, visited: visited + [profileName])
            } else if let keys = try Self.staticKeys(
                files.credentialsFile[sourceProfile], file: files.credentialsPath, profileName: sourceProfile) {
                sourceCredentials = keys
            } else if let keys = try Self.staticKeys(files.configFile[sourceProfile], file: files.configPath, profileName: sourceProfile) {
                sourceCredentials = keys
            } else {
                throw CredentialSourceError(source: source, reason: "source_profile \"\(sourceProfile)\" has no keys")
            }
        } else if let credentialSource = profile["credential_source"] {
            switch credentialSource {
            case "Environment":
                guard let keys = try EnvironmentCredentialProvider(environment: environment).resolve() else {
                    throw CredentialSourceError(source: source, reason: "credential_source Environment, but AWS_ACCESS_KEY_ID is not set")
                }
                sourceCredentials = keys
            case "EcsContainer":
                guard let container = try ContainerCredentialSource(environment: environment, timeout: timeout) else {
                    throw CredentialSourceError(source: source, reason: "credential_source EcsContainer, but no container URI is set")
                }
                sourceCredentials = try container.fetch()
            default:
                throw CredentialSourceError(source: source, reason: "credential_source \(credentialSource) is not supported")
            }
        } else {
            throw CredentialSourceError(source: source, reason: "role_arn needs source_profile or credential_source")
        }
        var duration: Int?
        if let text = profile["duration_seconds"] {
            guard let value = Int(text), value > 0 else {
                throw CredentialSourceError(source: source, reason: "duration_seconds is not a positive integer")
            }
            duration = value
        }
        return try sts().assumeRole(
            roleARN: roleARN, sessionName: profile["role_session_name"] ?? defaultSessionName(),
            externalID: profile["external_id"], durationSeconds: duration, credentials: sourceCredentials,
            now: clock.now(), source: source)
    }
}

/// `AWS_ROLE_ARN` + `AWS_WEB_IDENTITY_TOKEN_FILE` (+ `AWS_ROLE_SESSION_NAME`), or a profile's
/// `role_arn` + `web_identity_token_file`: STS `AssumeRoleWithWebIdentity`, re-reading the token each time.
struct WebIdentitySource: Sendable {
    static let name = "web identity"
    let roleARN: String
    let tokenFile: String
    let sessionName: String?
    let context: ProfileContext

    init?(context: ProfileContext) {
        let environment = context.environment
        let profile = context.files.profile(context.profileName)
        if let roleARN = environment.nonEmpty("AWS_ROLE_ARN"), let tokenFile = environment.nonEmpty("AWS_WEB_IDENTITY_TOKEN_FILE") {
            self.roleARN = roleARN
            self.tokenFile = tokenFile
            sessionName = environment.nonEmpty("AWS_ROLE_SESSION_NAME")
        } else if let roleARN = profile?["role_arn"], let tokenFile = profile?["web_identity_token_file"] {
            self.roleARN = roleARN
            self.tokenFile = tokenFile
            sessionName = profile?["role_session_name"]
        } else {
            return nil
        }
        self.context = context
    }

    func fetch() throws(CredentialSourceError) -> SigningCredentials {
        let token: String
        do {
            token = try readSmallFile(tokenFile).trimmingSpaces()
        } catch {
            throw CredentialSourceError(source: Self.name, reason: "web identity token file: \(error)")
        }
        return try context.sts().assumeRoleWithWebIdentity(
            roleARN: roleARN, sessionName: sessionName ?? context.defaultSessionName(), webIdentityToken: token,
            now: context.clock.now(), source: Self.name)
    }
}
