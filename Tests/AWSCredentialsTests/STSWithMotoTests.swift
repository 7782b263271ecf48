import AWSCredentials
import AWSSigV4
import Foundation
import TestSupport
import Testing

/// AssumeRole and AssumeRoleWithWebIdentity against moto's STS (one server per test, stopped when it ends).
/// Outside CI a missing `moto_server` skips the suite; under `CI=true` it fails (install-deps --test installs it).
@Suite(.offCooperativePool, .enabled(if: MotoServer.executablePath() != nil || ContinuousIntegration.isActive,
                "moto_server not found on PATH (pip install 'moto[server]')"))
final class STSWithMotoTests {
    private let server: MotoServer
    private var temporaryFiles: [String] = []

    init() throws {
        guard let executable = MotoServer.executablePath() else {
            throw MissingToolError("STS tests need moto: moto_server not found on PATH (pip install 'moto[server]')")
        }
        server = try MotoServer(executable: executable)
    }

    deinit {
        for path in temporaryFiles { try? FileManager.default.removeItem(atPath: path) }
    }

    private func endpoint() -> String { server.endpoint }

    private func temporaryFile(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sts-\(UUID().uuidString)").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        temporaryFiles.append(path)
        return path
    }

    @Test func webIdentityFromTheEnvironmentAssumesTheRole() throws {
        let environment = [
            "HOME": "/nonexistent", "AWS_ENDPOINT_URL_STS": endpoint(), "AWS_REGION": "us-east-1",
            "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/web-role", "AWS_ROLE_SESSION_NAME": "web-session",
            "AWS_WEB_IDENTITY_TOKEN_FILE": try temporaryFile("eyJhbGciOiJSUzI1NiJ9.payload.signature\n"),
        ]
        let chain = DefaultCredentialChain(environment: environment)
        let credentials = try chain.credentials()
        #expect(credentials.accessKeyID.hasPrefix("ASIA"), "\(credentials.accessKeyID)")
        #expect(!credentials.secretAccessKey.isEmpty)
        #expect(credentials.sessionToken != nil)
        #expect(credentials.expiration != nil)
        #expect(chain.sourceName == "web identity")
    }

    @Test func assumeRoleFromAProfileIsSignedWithTheSourceProfilesKeys() throws {
        let credentialsFile = try temporaryFile("[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = basesecret\n")
        let configFile = try temporaryFile("""
            [profile deploy]
            role_arn = arn:aws:iam::123456789012:role/deployer
            source_profile = base
            external_id = ext-123
            role_session_name = deploy-session
            duration_seconds = 1800
            region = eu-west-1
            [profile chained]
            role_arn = arn:aws:iam::123456789012:role/second
            source_profile = deploy
            """)
        var environment = [
            "HOME": "/nonexistent", "AWS_ENDPOINT_URL_STS": endpoint(), "AWS_SHARED_CREDENTIALS_FILE": credentialsFile,
            "AWS_CONFIG_FILE": configFile, "AWS_PROFILE": "deploy",
        ]
        let clock = FixedClock(AWSTimestamp(epochSeconds: Int64(Date().timeIntervalSince1970)))
        let chain = DefaultCredentialChain(environment: environment, clock: clock)
        let credentials = try chain.credentials()
        #expect(credentials.accessKeyID.hasPrefix("ASIA"), "\(credentials.accessKeyID)")
        #expect(credentials.accessKeyID != "AKIDBASE")
        #expect(credentials.sessionToken != nil)
        let expiration = try #require(credentials.expiration)
        #expect(expiration > clock.now())
        #expect(chain.sourceName == "profile \"deploy\" role")

        environment["AWS_PROFILE"] = "chained"
        #expect(try DefaultCredentialChain(environment: environment, clock: clock).credentials().accessKeyID.hasPrefix("ASIA"))
    }

    @Test func environmentBeatsWebIdentity() throws {
        let environment = [
            "HOME": "/nonexistent", "AWS_ENDPOINT_URL_STS": endpoint(),
            "AWS_ACCESS_KEY_ID": "ENVKEY", "AWS_SECRET_ACCESS_KEY": "envsecret",
            "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/web-role",
            "AWS_WEB_IDENTITY_TOKEN_FILE": try temporaryFile("token"),
        ]
        #expect(try DefaultCredentialChain(environment: environment).credentials().accessKeyID == "ENVKEY")
    }
}
