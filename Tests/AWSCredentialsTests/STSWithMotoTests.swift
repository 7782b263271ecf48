import AWSCredentials
import AWSSigV4
import Foundation
import TestSupport
import XCTest

/// AssumeRole and AssumeRoleWithWebIdentity against moto's STS (one server for the class).
final class STSWithMotoTests: XCTestCase {
    nonisolated(unsafe) private static var server: MotoServer?
    nonisolated(unsafe) private static var startError: String?

    override class func setUp() {
        guard let executable = MotoServer.executablePath() else {
            startError = "moto_server not found on PATH (pip install 'moto[server]')"
            return
        }
        do { server = try MotoServer(executable: executable) } catch { startError = "\(error)" }
    }

    override class func tearDown() {
        server = nil
    }

    private func endpoint() throws -> String {
        guard let server = Self.server else {
            // Under CI=true a missing moto is a failure: install-deps --test installs it.
            let reason = "STS tests need moto: \(Self.startError ?? "not started")"
            throw ContinuousIntegration.isActive ? MissingToolError(reason) as any Error : XCTSkip(reason)
        }
        return server.endpoint
    }

    private func temporaryFile(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sts-\(UUID().uuidString)").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func testWebIdentityFromEnvironment() throws {
        let environment = [
            "HOME": "/nonexistent", "AWS_ENDPOINT_URL_STS": try endpoint(), "AWS_REGION": "us-east-1",
            "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/web-role", "AWS_ROLE_SESSION_NAME": "web-session",
            "AWS_WEB_IDENTITY_TOKEN_FILE": try temporaryFile("eyJhbGciOiJSUzI1NiJ9.payload.signature\n"),
        ]
        let chain = DefaultCredentialChain(environment: environment)
        let credentials = try chain.credentials()
        XCTAssertTrue(credentials.accessKeyID.hasPrefix("ASIA"), credentials.accessKeyID)
        XCTAssertFalse(credentials.secretAccessKey.isEmpty)
        XCTAssertNotNil(credentials.sessionToken)
        XCTAssertNotNil(credentials.expiration)
        XCTAssertEqual(chain.sourceName, "web identity")
    }

    func testAssumeRoleFromProfileSignedWithSourceProfileKeys() throws {
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
            "HOME": "/nonexistent", "AWS_ENDPOINT_URL_STS": try endpoint(), "AWS_SHARED_CREDENTIALS_FILE": credentialsFile,
            "AWS_CONFIG_FILE": configFile, "AWS_PROFILE": "deploy",
        ]
        let clock = FixedClock(AWSTimestamp(epochSeconds: Int64(Date().timeIntervalSince1970)))
        let chain = DefaultCredentialChain(environment: environment, clock: clock)
        let credentials = try chain.credentials()
        XCTAssertTrue(credentials.accessKeyID.hasPrefix("ASIA"), credentials.accessKeyID)
        XCTAssertNotEqual(credentials.accessKeyID, "AKIDBASE")
        XCTAssertNotNil(credentials.sessionToken)
        let expiration = try XCTUnwrap(credentials.expiration)
        XCTAssertGreaterThan(expiration, clock.now())
        XCTAssertEqual(chain.sourceName, "profile \"deploy\" role")

        environment["AWS_PROFILE"] = "chained"
        XCTAssertTrue(try DefaultCredentialChain(environment: environment, clock: clock).credentials().accessKeyID.hasPrefix("ASIA"))
    }

    func testEnvironmentBeatsWebIdentity() throws {
        let environment = [
            "HOME": "/nonexistent", "AWS_ENDPOINT_URL_STS": try endpoint(),
            "AWS_ACCESS_KEY_ID": "ENVKEY", "AWS_SECRET_ACCESS_KEY": "envsecret",
            "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/web-role",
            "AWS_WEB_IDENTITY_TOKEN_FILE": try temporaryFile("token"),
        ]
        XCTAssertEqual(try DefaultCredentialChain(environment: environment).credentials().accessKeyID, "ENVKEY")
    }
}
