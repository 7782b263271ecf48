import Foundation
import Kafka
import MSKIAMAuth
import Testing

@testable import APIGatewayFrontEnd
@testable import DirectFrontEnd
@testable import EventSourceFrontEnd
@testable import FunctionCore
@testable import JSON
@testable import KafkaFunction
@testable import WebSocketFrontEnd

/// `KAFKA_AUTH`, `KAFKA_TLS`, `KAFKA_CA_FILE`, `KAFKA_USERNAME`, `KAFKA_PASSWORD`, `AWS_REGION`, `KAFKA_IAM_REGION`.
@Suite struct KafkaSecurityEnvironmentTests {
    static let password = "pw-Sup3r-Secret-9f2c"

    private func load(_ env: [String: String]) throws(ConfigurationError) -> KafkaConfiguration {
        try loadKafkaConfiguration(env.merging(["KAFKA_ENDPOINT": "b-1.example:9096"]) { current, _ in current })
    }

    private func failure(_ env: [String: String]) -> ConfigurationError? {
        do {
            _ = try load(env)
            return nil
        } catch {
            return error
        }
    }

    private func temporaryFile(_ contents: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ca-\(UUID().uuidString).pem").path
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func noAuthenticationIsPlaintextUnlessTLSIsAskedFor() throws {
        for env in [[:], ["KAFKA_AUTH": "none"]] {
            let configuration = try load(env)
            #expect(configuration.tls == nil && configuration.sasl == nil)
        }
        let tls = try load(["KAFKA_AUTH": " NONE ", "KAFKA_TLS": "true"])
        #expect(tls.tls == KafkaConfiguration.TLS(trustRoots: .systemDefault))
        #expect(tls.sasl == nil)
    }

    @Test func iamUsesTLSAndTheRegion() throws {
        let security = try load(["KAFKA_AUTH": "iam", "AWS_REGION": "eu-west-1"])
        #expect(security.tls != nil)
        guard case .oauthBearer(let bearer) = security.sasl, let iam = bearer.tokenProvider as? MSKAuthTokenProvider else {
            Issue.record("expected MSK IAM, got \(String(describing: security.sasl))")
            return
        }
        #expect(iam.region == "eu-west-1")
        let overridden = try load(["KAFKA_AUTH": "iam", "AWS_REGION": "eu-west-1", "KAFKA_IAM_REGION": "us-east-2"])
        guard case .oauthBearer(let bearer) = overridden.sasl, let other = bearer.tokenProvider as? MSKAuthTokenProvider else {
            Issue.record("expected MSK IAM")
            return
        }
        #expect(other.region == "us-east-2")
        #expect(try load(["KAFKA_AUTH": "iam", "AWS_REGION": "eu-west-1", "KAFKA_TLS": "true"]).tls != nil)
    }

    @Test func iamErrorsNameTheVariable() {
        #expect(failure(["KAFKA_AUTH": "iam"])?.variable == "AWS_REGION")
        #expect(failure(["KAFKA_AUTH": "iam", "AWS_REGION": "Not A Region"])?.variable == "AWS_REGION")
        #expect(failure(["KAFKA_AUTH": "iam", "AWS_REGION": "eu-west-1", "KAFKA_IAM_REGION": "EU_WEST"])?.variable == "KAFKA_IAM_REGION")
        let plaintext = failure(["KAFKA_AUTH": "iam", "AWS_REGION": "eu-west-1", "KAFKA_TLS": "false"])
        #expect(plaintext?.variable == "KAFKA_TLS")
        #expect(plaintext?.message.contains("only over TLS") == true)
        #expect(failure(["KAFKA_AUTH": "iam", "AWS_REGION": "eu-west-1", "KAFKA_USERNAME": "u"])?.variable == "KAFKA_USERNAME")
        #expect(failure(["KAFKA_AUTH": "iam", "AWS_REGION": "eu-west-1", "KAFKA_PASSWORD": Self.password])?.variable == "KAFKA_PASSWORD")
    }

    @Test(arguments: ["plain", "scram-sha-256", "SCRAM-SHA-512"])
    func saslMechanismsReadUserAndPasswordAndDefaultToTLS(name: String) throws {
        let credentials = KafkaConfiguration.UserCredentials(username: "alice", password: Self.password)
        let expected: KafkaConfiguration.SASL = switch name.lowercased() {
        case "plain": .plain(credentials)
        case "scram-sha-256": .scramSHA256(credentials)
        default: .scramSHA512(credentials)
        }
        let security = try load(["KAFKA_AUTH": name, "KAFKA_USERNAME": "alice", "KAFKA_PASSWORD": Self.password])
        #expect(security.sasl == expected)
        #expect(security.sasl?.mechanismName == name.uppercased())
        #expect(security.tls == KafkaConfiguration.TLS(trustRoots: .systemDefault))
        #expect(security.securityWarnings.isEmpty)
        let clear = try load(["KAFKA_AUTH": name, "KAFKA_USERNAME": "alice", "KAFKA_PASSWORD": Self.password, "KAFKA_TLS": "false"])
        #expect(clear.tls == nil)
        #expect(clear.securityWarnings.isEmpty == (name != "plain"))
    }

    @Test func saslErrorsNameTheVariable() {
        #expect(failure(["KAFKA_AUTH": "scram-sha-512", "KAFKA_PASSWORD": Self.password])?.variable == "KAFKA_USERNAME")
        #expect(failure(["KAFKA_AUTH": "scram-sha-512", "KAFKA_USERNAME": "alice"])?.variable == "KAFKA_PASSWORD")
        #expect(failure(["KAFKA_AUTH": "plain", "KAFKA_USERNAME": "alice", "KAFKA_PASSWORD": ""])?.variable == "KAFKA_PASSWORD")
        #expect(failure(["KAFKA_PASSWORD": Self.password])?.variable == "KAFKA_PASSWORD")
        #expect(failure(["KAFKA_USERNAME": "alice"])?.variable == "KAFKA_USERNAME")
        let unknown = failure(["KAFKA_AUTH": "scram-sha-1"])
        #expect(unknown?.variable == "KAFKA_AUTH")
        #expect(unknown?.message.contains("scram-sha-512") == true)
        #expect(failure(["KAFKA_AUTH": "plain", "KAFKA_USERNAME": "a", "KAFKA_PASSWORD": "p", "KAFKA_TLS": "1"])?.variable == "KAFKA_TLS")
    }

    @Test func caFileMustBeAReadablePEMFileAndNeedsTLS() throws {
        let good = try temporaryFile("# bundle\n-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
        let empty = try temporaryFile("not a certificate\n")
        defer {
            try? FileManager.default.removeItem(atPath: good)
            try? FileManager.default.removeItem(atPath: empty)
        }
        #expect(try load(["KAFKA_TLS": "true", "KAFKA_CA_FILE": good]).tls?.trustRoots == .pemFile(path: good))
        #expect(try load(["KAFKA_AUTH": "iam", "AWS_REGION": "us-east-1", "KAFKA_CA_FILE": good]).tls?.trustRoots == .pemFile(path: good))
        for bad in ["/nonexistent/ca.pem", empty, FileManager.default.temporaryDirectory.path] {
            let error = failure(["KAFKA_TLS": "true", "KAFKA_CA_FILE": bad])
            #expect(error?.variable == "KAFKA_CA_FILE", "\(bad): \(String(describing: error))")
            #expect(error?.message.contains(bad) == true)
        }
        #expect(failure(["KAFKA_CA_FILE": good])?.variable == "KAFKA_CA_FILE")
    }

    @Test(arguments: [
        "KAFKA_CONFIG_ENABLE_SSL_CERTIFICATE_VERIFICATION", "KAFKA_CONFIG_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM",
        "KAFKA_CONFIG_SSL_CA_LOCATION", "KAFKA_CONFIG_SASL_MECHANISM", "KAFKA_CONFIG_SASL_USERNAME",
        "KAFKA_CONFIG_ENABLE_SASL_OAUTHBEARER_UNSECURE_JWT", "KAFKA_CONFIG_SECURITY_PROTOCOL",
    ])
    func passthroughMayNotWeakenTLSOrSASL(variable: String) {
        let error = failure(["KAFKA_TLS": "true", variable: "false"])
        #expect(error?.variable == variable)
        #expect(error?.message.contains("not a client tuning property") == true, "\(String(describing: error))")
    }

    @Test func verificationOverridesExplainThatVerificationStaysOn() {
        let error = failure(["KAFKA_CONFIG_ENABLE_SSL_CERTIFICATE_VERIFICATION": "false"])
        #expect(error?.message.contains("always on") == true)
        #expect(error?.message.contains("KAFKA_CA_FILE") == true)
    }

    @Test func thePasswordIsInNoErrorAndNoDescription() throws {
        let withPassword = ["KAFKA_PASSWORD": Self.password, "KAFKA_USERNAME": "alice"]
        let cases: [[String: String]] = [
            [:], ["KAFKA_AUTH": "none"], ["KAFKA_AUTH": "iam", "AWS_REGION": "eu-west-1"],
            ["KAFKA_AUTH": "scram-sha-512", "KAFKA_TLS": "maybe"], ["KAFKA_AUTH": "scram-sha-512", "KAFKA_CA_FILE": "/nonexistent"],
            ["KAFKA_AUTH": "plain", "KAFKA_CONFIG_SASL_PASSWORD": Self.password],
            ["KAFKA_AUTH": "plain", "KAFKA_CONFIG_SSL_KEY_PASSWORD_TYPO": Self.password],
        ]
        for env in cases {
            let error = failure(env.merging(withPassword) { current, _ in current })
            #expect(error != nil, "\(env.keys.sorted())")
            #expect(!String(describing: error).contains(Self.password), "\(env.keys.sorted())")
            #expect(!String(describing: error).contains("Sup3r"), "\(env.keys.sorted())")
        }
        let loaded = try load(["KAFKA_AUTH": "scram-sha-256"].merging(withPassword) { current, _ in current })
        #expect(!String(describing: loaded).contains(Self.password))
        #expect(!String(reflecting: loaded).contains(Self.password))
        #expect(!"\(String(describing: loaded.sasl))".contains(Self.password))
    }
}
