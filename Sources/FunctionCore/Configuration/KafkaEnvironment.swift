import AWSCredentials
import JSON
import Kafka
import MSKIAMAuth

/// `KAFKA_ENDPOINT`, `KAFKA_AUTH`, `KAFKA_TLS`, `KAFKA_CA_FILE`, `KAFKA_USERNAME`, `KAFKA_PASSWORD`,
/// `KAFKA_IAM_REGION` / `AWS_REGION` and `KAFKA_CONFIG_*` turned into a `KafkaConfiguration`.
/// Errors name the variable and never quote a password.
package enum KafkaEnvironment {
    package static let supportedAuthentication = "none, iam, plain, scram-sha-256, scram-sha-512"
    package static let propertyPrefix = "KAFKA_CONFIG_"

    private enum Authentication: Equatable {
        case none, iam, plain, scramSHA256, scramSHA512
    }

    package static func configuration(_ environment: Environment) throws(ConfigurationError) -> KafkaConfiguration {
        let endpoint = try environment.required("KAFKA_ENDPOINT", "comma-separated host:port list")
        let authName = environment.text("KAFKA_AUTH")?.lowercased() ?? "none"
        let authentication: Authentication
        switch authName {
        case "none": authentication = .none
        case "iam": authentication = .iam
        case "plain": authentication = .plain
        case "scram-sha-256": authentication = .scramSHA256
        case "scram-sha-512": authentication = .scramSHA512
        default:
            throw ConfigurationError("KAFKA_AUTH", "'\(authName.prefix(32))' is not supported (supported: \(supportedAuthentication))")
        }
        let usesTLS = try environment.flag("KAFKA_TLS", default: authentication != .none)
        if authentication == .iam && !usesTLS {
            throw ConfigurationError("KAFKA_TLS", "must not be false with KAFKA_AUTH=iam: Amazon MSK accepts IAM authentication only over TLS")
        }
        let tls = usesTLS ? KafkaConfiguration.TLS(trustRoots: try trustRoots(environment)) : nil
        if tls == nil, environment.text("KAFKA_CA_FILE") != nil {
            throw ConfigurationError("KAFKA_CA_FILE", "is set but TLS is off (KAFKA_TLS=false)")
        }
        let sasl: KafkaConfiguration.SASL?
        switch authentication {
        case .none:
            try rejectUserCredentials(environment, authName: "none")
            sasl = nil
        case .iam:
            try rejectUserCredentials(environment, authName: "iam")
            sasl = .oauthBearer(try mskIAM(environment))
        case .plain: sasl = .plain(try userCredentials(environment, authName: authName))
        case .scramSHA256: sasl = .scramSHA256(try userCredentials(environment, authName: authName))
        case .scramSHA512: sasl = .scramSHA512(try userCredentials(environment, authName: authName))
        }
        return KafkaConfiguration(bootstrapServers: endpoint, tls: tls, sasl: sasl, properties: try tuningProperties(environment))
    }

    /// `KAFKA_CONFIG_LINGER_MS=5` -> `linger.ms`; only client tuning properties are accepted.
    package static func tuningProperties(_ environment: Environment) throws(ConfigurationError) -> [(String, String)] {
        var properties: [(String, String)] = []
        for (variable, value) in environment.variables(withPrefix: propertyPrefix) {
            let name = propertyName(forVariable: variable)
            guard !name.isEmpty else { throw ConfigurationError(variable, "names no librdkafka property") }
            if let refusal = TuningProperties.refusal(name: name, value: value) {
                throw ConfigurationError(variable, refusal)
            }
            properties.append((name, value))
        }
        return properties.sorted { $0.0 < $1.0 }
    }

    package static func propertyName(forVariable variable: String) -> String {
        String(variable.dropFirst(propertyPrefix.count).lowercased().map { $0 == "_" ? "." : $0 })
    }

    private static func trustRoots(_ environment: Environment) throws(ConfigurationError) -> KafkaConfiguration.TLS.TrustRoots {
        guard let path = environment.text("KAFKA_CA_FILE") else { return .systemDefault }
        switch PEMFileCheck.certificates(at: path) {
        case .unreadable(let reason):
            throw ConfigurationError("KAFKA_CA_FILE", "'\(path)' is not a readable file: \(reason)")
        case .noCertificate:
            throw ConfigurationError("KAFKA_CA_FILE", "'\(path)' holds no PEM certificate (-----BEGIN CERTIFICATE-----)")
        case .ok:
            return .pemFile(path: path)
        }
    }

    private static func rejectUserCredentials(_ environment: Environment, authName: String) throws(ConfigurationError) {
        for variable in ["KAFKA_USERNAME", "KAFKA_PASSWORD"] where environment.raw(variable)?.isEmpty == false {
            throw ConfigurationError(
                variable, "is set, but KAFKA_AUTH=\(authName) does not use it (it is for plain, scram-sha-256 and scram-sha-512)")
        }
    }

    private static func userCredentials(
        _ environment: Environment, authName: String
    ) throws(ConfigurationError) -> KafkaConfiguration.UserCredentials {
        guard let username = environment.raw("KAFKA_USERNAME"), !username.isEmpty else {
            throw ConfigurationError("KAFKA_USERNAME", "is required with KAFKA_AUTH=\(authName)")
        }
        guard let password = environment.raw("KAFKA_PASSWORD"), !password.isEmpty else {
            throw ConfigurationError("KAFKA_PASSWORD", "is required with KAFKA_AUTH=\(authName)")
        }
        return KafkaConfiguration.UserCredentials(username: username, password: password)
    }

    /// The region (`KAFKA_IAM_REGION`, else `AWS_REGION`, which Lambda sets) and a token provider over the
    /// default credential chain. Credentials are looked up on the first token, not here.
    private static func mskIAM(_ environment: Environment) throws(ConfigurationError) -> OAuthBearer {
        let variable = environment.raw("KAFKA_IAM_REGION")?.isEmpty == false ? "KAFKA_IAM_REGION" : "AWS_REGION"
        guard let region = environment.text(variable) else {
            throw ConfigurationError("AWS_REGION", "is required with KAFKA_AUTH=iam (KAFKA_IAM_REGION overrides it)")
        }
        do {
            let provider = try MSKAuthTokenProvider(region: region, credentials: DefaultCredentialChain(environment: environment.dictionary))
            return OAuthBearer(tokenProvider: provider)
        } catch {
            throw ConfigurationError(variable, "is not usable for MSK IAM: \(error)")
        }
    }
}
