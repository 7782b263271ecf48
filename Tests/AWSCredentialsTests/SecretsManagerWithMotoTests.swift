import AWSCredentials
import AWSSigV4
import TestSupport
import Testing

/// `GetSecretValue` (JSON 1.1, SigV4-signed) against moto's Secrets Manager, one server per test.
/// Outside CI a missing `moto_server` skips the suite; under `CI=true` it fails.
@Suite(.offCooperativePool, .enabled(if: MotoServer.executablePath() != nil || ContinuousIntegration.isActive,
                "moto_server not found on PATH (pip install 'moto[server]')"))
final class SecretsManagerWithMotoTests {
    private let server: MotoServer
    private let secrets: MotoSecrets

    init() throws {
        guard let executable = MotoServer.executablePath() else {
            throw MissingToolError("Secrets Manager tests need moto: moto_server not found on PATH (pip install 'moto[server]')")
        }
        server = try MotoServer(executable: executable)
        secrets = MotoSecrets(endpoint: server.endpoint)
    }

    private func client() throws -> SecretsManagerClient {
        let environment = [
            "AWS_ENDPOINT_URL_SECRETS_MANAGER": server.endpoint,
            "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        ]
        return try SecretsManagerClient(region: "us-east-1", environment: environment,
                                        credentials: DefaultCredentialChain(environment: environment), timeout: .seconds(30))
    }

    @Test func getSecretValueAnswersTheSecretString() throws {
        let text = #"{"username":"sink","password":"Pa55-w0rd\"q","port":5432}"#
        let arn = try secrets.create(name: "sink-db", secretString: text)
        #expect(SecretsManagerClient.region(ofSecretARN: arn) == "us-east-1")
        let answer = try client().secretString(arn)
        #expect(answer == text)
        #expect(try SecretsManagerClient.field("password", ofJSONSecret: answer, secretID: arn) == #"Pa55-w0rd"q"#)
    }

    @Test func failuresNameTheSecretAndWhatAWSAnsweredButNoValue() throws {
        let missing = "arn:aws:secretsmanager:us-east-1:123456789012:secret:missing-AbCdEf"
        do {
            _ = try client().secretString(missing)
            Issue.record("a missing secret was read")
        } catch {
            #expect("\(error)".contains("ResourceNotFoundException"), "\(error)")
            #expect("\(error)".contains(missing))
        }
        let arn = try secrets.create(name: "not-json", secretString: "hunter2-plain")
        do {
            _ = try SecretsManagerClient.field("password", ofJSONSecret: try client().secretString(arn), secretID: arn)
            Issue.record("a secret without a password field gave one")
        } catch {
            #expect(!"\(error)".contains("hunter2"), "\(error)")
        }
    }

    @Test func plainHTTPIsRefusedBeyondLoopback() {
        #expect(throws: SecretsManagerError.self) {
            _ = try SecretsManagerClient(
                region: "us-east-1", environment: ["AWS_ENDPOINT_URL_SECRETS_MANAGER": "http://secrets.example.com"],
                credentials: EnvironmentCredentialProvider(environment: [:]))
        }
        #expect(SecretsManagerClient.region(ofSecretARN: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-x1") == "eu-west-1")
        for bad in ["sink-db", "arn:aws:s3:::bucket", "arn:aws:secretsmanager:eu-west-1:1234:secret:x", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:a\"b"] {
            #expect(SecretsManagerClient.region(ofSecretARN: bad) == nil, "\(bad)")
        }
    }
}
