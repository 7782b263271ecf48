import Foundation
import TestSupport
import Testing

/// Runs the bootstrap with every log switched on (runtime TRACE, librdkafka `debug=all`) through IAM,
/// SCRAM and invalid configurations, and looks for the secrets in everything that came out.
@Suite(.offCooperativePool, .serialized) struct NoSecretsInOutputTests {
    static let secretKey = "NOSECRETsecretAccessKey7Q2xWq9LmZ0pRt4Uv"
    static let sessionToken = "NOSECRET-session-token-Zz9Yy8Xx7"
    static let password = "NOSECRET-password-Kk3Jj2Hh1"

    static let verbose = ["AWS_LAMBDA_LOG_LEVEL": "TRACE", "KAFKA_CONFIG_DEBUG": "all", "HOME": "/nonexistent"]

    static func iamEnvironment(_ broker: FakeSASLBroker) -> [String: String] {
        verbose.merging([
            "KAFKA_ENDPOINT": broker.bootstrapServer, "KAFKA_AUTH": "iam", "KAFKA_CA_FILE": broker.caFile,
            "AWS_REGION": "us-west-2", "AWS_ACCESS_KEY_ID": "AKIDNOSECRETTEST0001",
            "AWS_SECRET_ACCESS_KEY": secretKey, "AWS_SESSION_TOKEN": sessionToken,
        ]) { _, new in new }
    }

    /// Everything the emulator and bootstrap printed plus every answer.
    final class Output {
        var text = ""
        func add(_ result: InvokeResult) { text += "\n" + result.text + "\n" + result.headers.description }
        func add(_ emulator: EmulatorHarness) { text += "\n" + emulator.standardError + "\n" + emulator.process.standardOutput }
    }

    func expectNoSecrets(in output: String, extra: [(String, String)] = []) {
        let secrets = [("secret access key", Self.secretKey), ("session token", Self.sessionToken), ("password", Self.password)]
        for (name, secret) in secrets + extra {
            #expect(!output.contains(secret), "the \(name) appears in the output")
        }
    }

    @Test func iamAndSCRAMWithFullDebugLoggingLeakNothing() throws {
        let output = Output()
        var tokenSecrets: [(String, String)] = []

        do {
            let broker = try FakeSASLBroker()
            defer { broker.stop() }
            let emulator = try EmulatorHarness(environment: Self.iamEnvironment(broker), timeoutSeconds: 4)
            defer { emulator.stop() }
            output.add(try emulator.invoke(#"{"action":"offsets","topic":"orders"}"#, timeout: 60))
            output.add(try emulator.invoke(#"{"action":"produce","topic":"orders","records":[{"value":"x"}]}"#, timeout: 60))
            let authBytes = try #require(broker.requests(named: "SaslAuthenticate").first?.authBytes)
            let token = try #require(OAuthBearerResponse.token(in: authBytes))
            let url = try #require(OAuthBearerResponse.decodeBase64URL(token))
            let signature = try #require(OAuthBearerResponse.queryItems(of: url)["X-Amz-Signature"])
            tokenSecrets = [("token", token), ("signature", signature), ("presigned URL", String(url.prefix(60)))]
            // librdkafka's debug output is on: prove the log was verbose, so the check below means something.
            #expect(emulator.waitForStandardError { $0.contains("OAUTHBEARER") }, "librdkafka debug lines were logged")
            output.add(emulator)
        }

        do {
            let broker = try FakeSASLBroker(mechanism: "SCRAM-SHA-256")
            defer { broker.stop() }
            let emulator = try EmulatorHarness(
                environment: Self.verbose.merging([
                    "KAFKA_ENDPOINT": broker.bootstrapServer, "KAFKA_AUTH": "scram-sha-256", "KAFKA_CA_FILE": broker.caFile,
                    "KAFKA_USERNAME": "alice", "KAFKA_PASSWORD": Self.password,
                ]) { _, new in new },
                timeoutSeconds: 4)
            defer { emulator.stop() }
            let result = try emulator.invoke(#"{"action":"offsets","topic":"orders"}"#, timeout: 60)
            #expect(result.functionError == "Unhandled")
            output.add(result)
            #expect(!broker.requests(named: "SaslAuthenticate").isEmpty)
            #expect(emulator.waitForStandardError { $0.contains("SCRAM") })
            output.add(emulator)
        }

        expectNoSecrets(in: output.text, extra: tokenSecrets)
        #expect(tokenSecrets.count == 3)
    }

    @Test(arguments: [
        ["KAFKA_AUTH": "iam", "AWS_REGION": "us-west-2", "KAFKA_PASSWORD": NoSecretsInOutputTests.password],
        ["KAFKA_AUTH": "scram-sha-512", "KAFKA_USERNAME": "alice", "KAFKA_PASSWORD": NoSecretsInOutputTests.password, "KAFKA_TLS": "perhaps"],
        ["KAFKA_AUTH": "plain", "KAFKA_USERNAME": "alice", "KAFKA_PASSWORD": NoSecretsInOutputTests.password, "KAFKA_CONFIG_SASL_PASSWORD": NoSecretsInOutputTests.password],
        ["KAFKA_AUTH": "plain", "KAFKA_USERNAME": "alice", "KAFKA_PASSWORD": NoSecretsInOutputTests.password, "KAFKA_CA_FILE": "/nonexistent.pem"],
        ["KAFKA_AUTH": "iam", "AWS_REGION": "Bad Region", "AWS_SECRET_ACCESS_KEY": NoSecretsInOutputTests.secretKey, "AWS_SESSION_TOKEN": NoSecretsInOutputTests.sessionToken],
    ])
    func invalidConfigurationsAreInitErrorsWithoutSecrets(environment: [String: String]) throws {
        let emulator = try EmulatorHarness(
            environment: Self.verbose.merging(environment) { _, new in new }.merging(["KAFKA_ENDPOINT": "127.0.0.1:9"]) { _, new in new })
        defer { emulator.stop() }
        let result = try emulator.invoke(#"{"action":"offsets","topic":"orders"}"#)
        // The answer is the init error, or Runtime.ExitError when the bootstrap had already exited.
        #expect(result.functionError == "Unhandled", "\(result.text)")
        #expect(emulator.waitForStandardError { $0.contains("init error: Function.InvalidConfiguration") }, "\(emulator.standardError)")
        expectNoSecrets(in: result.text + emulator.standardError)
    }

    @Test func mskIAMTokenToolPrintsNoSecretOnError() throws {
        let tool = BuiltProducts.path(of: "msk-iam-token")
        let attempts: [([String], [String: String])] = [
            (["--region", "Bad Region", "--access-key-id", "AKID", "--secret-access-key", Self.secretKey,
              "--session-token", Self.sessionToken], [:]),
            (["--region", "us-east-1", "--secret-access-key", Self.secretKey], [:]),
            (["--region", "us-east-1", "--secret-acess-key", Self.secretKey], [:]),
            (["--region", "us-east-1", "--access-key-id", "AKID", "--secret-access-key", Self.secretKey, "--date", "yesterday"], [:]),
            (["--region", "us-east-1"], ["AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": Self.secretKey,
                                        "AWS_SESSION_TOKEN": Self.sessionToken, "AWS_CREDENTIAL_EXPIRATION": "2001-01-01T00:00:00Z"]),
        ]
        for (arguments, environment) in attempts {
            let child = try ChildProcess(executable: tool, arguments: arguments, environment: environment.merging(["HOME": "/nonexistent"]) { a, _ in a })
            let status = try child.waitForExit(timeout: 30)  // exit and end-of-file on both pipes
            #expect(status != 0, "\(arguments)")
            #expect(!child.standardError.isEmpty)
            expectNoSecrets(in: child.standardOutput + child.standardError)
        }
    }
}
