import AWSCredentials
import MSKIAMAuth

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads `KAFKA_AUTH`, `KAFKA_TLS`, `KAFKA_CA_FILE`, `KAFKA_USERNAME`, `KAFKA_PASSWORD`,
/// `KAFKA_IAM_REGION` / `AWS_REGION`. Errors name the variable and never quote a password.
extension KafkaSecurity {
    static let supportedAuthentication = "none, iam, plain, scram-sha-256, scram-sha-512"

    private enum Kind: Equatable {
        case none, iam
        case sasl(SASLMechanism)
    }

    static func fromEnvironment(_ env: [String: String]) throws(KafkaConfigurationError) -> KafkaSecurity {
        let authName = env["KAFKA_AUTH"]?.trimmingSpaces.lowercased() ?? ""
        let kind: Kind
        switch authName {
        case "", "none": kind = .none
        case "iam": kind = .iam
        case "plain": kind = .sasl(.plain)
        case "scram-sha-256": kind = .sasl(.scramSHA256)
        case "scram-sha-512": kind = .sasl(.scramSHA512)
        default:
            throw KafkaConfigurationError(
                variable: "KAFKA_AUTH", message: "'\(authName.prefix(32))' is not supported (supported: \(supportedAuthentication))")
        }
        let tls = try readTLS(env, default: kind != .none)
        if kind == .iam && !tls {
            throw KafkaConfigurationError(
                variable: "KAFKA_TLS", message: "must not be false with KAFKA_AUTH=iam: Amazon MSK accepts IAM authentication only over TLS")
        }
        let caFile = try readCAFile(env, tls: tls)
        let authentication: KafkaAuthentication
        switch kind {
        case .none:
            try rejectUserCredentials(env, authName: "none")
            authentication = .none
        case .iam:
            try rejectUserCredentials(env, authName: "iam")
            authentication = .mskIAM(try readIAM(env))
        case .sasl(let mechanism):
            authentication = .sasl(try readUserCredentials(env, mechanism: mechanism))
        }
        return KafkaSecurity(tls: tls, authentication: authentication, caFile: caFile)
    }

    private static func readTLS(_ env: [String: String], default defaultValue: Bool) throws(KafkaConfigurationError) -> Bool {
        switch env["KAFKA_TLS"]?.trimmingSpaces.lowercased() {
        case nil, "": return defaultValue
        case "true": return true
        case "false": return false
        case let other?:
            throw KafkaConfigurationError(variable: "KAFKA_TLS", message: "must be 'true' or 'false', not '\(other.prefix(32))'")
        }
    }

    private static func readCAFile(_ env: [String: String], tls: Bool) throws(KafkaConfigurationError) -> String? {
        guard let path = env["KAFKA_CA_FILE"]?.trimmingSpaces, !path.isEmpty else { return nil }
        guard tls else {
            throw KafkaConfigurationError(variable: "KAFKA_CA_FILE", message: "is set but TLS is off (KAFKA_TLS=false)")
        }
        switch PEMFileCheck.certificates(at: path) {
        case .unreadable(let reason):
            throw KafkaConfigurationError(variable: "KAFKA_CA_FILE", message: "'\(path)' is not a readable file: \(reason)")
        case .noCertificate:
            throw KafkaConfigurationError(variable: "KAFKA_CA_FILE", message: "'\(path)' holds no PEM certificate (-----BEGIN CERTIFICATE-----)")
        case .ok:
            return path
        }
    }

    private static func rejectUserCredentials(_ env: [String: String], authName: String) throws(KafkaConfigurationError) {
        for variable in ["KAFKA_USERNAME", "KAFKA_PASSWORD"] where env[variable]?.isEmpty == false {
            throw KafkaConfigurationError(
                variable: variable,
                message: "is set, but KAFKA_AUTH=\(authName) does not use it (it is for plain, scram-sha-256 and scram-sha-512)")
        }
    }

    private static func readUserCredentials(
        _ env: [String: String], mechanism: SASLMechanism
    ) throws(KafkaConfigurationError) -> SASLCredentials {
        let authName = mechanism.rawValue.lowercased()
        guard let username = env["KAFKA_USERNAME"], !username.isEmpty else {
            throw KafkaConfigurationError(variable: "KAFKA_USERNAME", message: "is required with KAFKA_AUTH=\(authName)")
        }
        guard let password = env["KAFKA_PASSWORD"], !password.isEmpty else {
            throw KafkaConfigurationError(variable: "KAFKA_PASSWORD", message: "is required with KAFKA_AUTH=\(authName)")
        }
        return SASLCredentials(mechanism: mechanism, username: username, password: password)
    }

    /// The region (`KAFKA_IAM_REGION`, else `AWS_REGION`, which Lambda sets) and a token provider over the
    /// default credential chain. Credentials are looked up on the first token, not here.
    private static func readIAM(_ env: [String: String]) throws(KafkaConfigurationError) -> MSKIAMAuthentication {
        let variable = env["KAFKA_IAM_REGION"]?.isEmpty == false ? "KAFKA_IAM_REGION" : "AWS_REGION"
        guard let region = env[variable]?.trimmingSpaces, !region.isEmpty else {
            throw KafkaConfigurationError(
                variable: "AWS_REGION", message: "is required with KAFKA_AUTH=iam (KAFKA_IAM_REGION overrides it)")
        }
        do {
            let provider = try MSKAuthTokenProvider(region: region, credentials: DefaultCredentialChain(environment: env))
            return MSKIAMAuthentication(tokenProvider: provider)
        } catch {
            throw KafkaConfigurationError(variable: variable, message: "is not usable for MSK IAM: \(error)")
        }
    }
}

/// Checks that a file can be read and holds at least one PEM certificate.
enum PEMFileCheck {
    enum Outcome: Equatable {
        case ok, noCertificate
        case unreadable(String)
    }

    static let maximumBytes = 8 << 20

    static func certificates(at path: String) -> Outcome {
        guard let file = fopen(path, "r") else { return .unreadable(String(cString: strerror(errno))) }
        defer { fclose(file) }
        var contents: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while contents.count < maximumBytes {
            let count = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if count > 0 { contents.append(contentsOf: buffer[0..<count]) }
            if count < buffer.count {
                if ferror(file) != 0 { return .unreadable(String(cString: strerror(errno))) }
                break
            }
        }
        let marker = Array("-----BEGIN CERTIFICATE-----".utf8)
        guard contents.count >= marker.count else { return .noCertificate }
        for start in 0...(contents.count - marker.count) where contents[start] == marker[0] {
            if contents[start..<start + marker.count].elementsEqual(marker) { return .ok }
        }
        return .noCertificate
    }
}
