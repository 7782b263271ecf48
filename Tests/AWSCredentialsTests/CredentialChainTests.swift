import AWSCredentials
import AWSSigV4
import Foundation
import Synchronization
import TestSupport
import XCTest

/// A clock the test moves by hand.
final class ManualClock: AWSClock {
    private let current: Mutex<Int64>
    init(_ start: Int64) { current = Mutex(start) }
    func now() -> AWSTimestamp { AWSTimestamp(epochSeconds: current.withLock { $0 }) }
    func advance(_ seconds: Int64) { current.withLock { $0 += seconds } }
}

final class CredentialChainTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("creds-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func write(_ name: String, _ text: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// An environment with no AWS variables and files under the test's directory.
    private func baseEnvironment() -> [String: String] {
        ["HOME": directory.path, "AWS_SHARED_CREDENTIALS_FILE": directory.appendingPathComponent("credentials").path,
         "AWS_CONFIG_FILE": directory.appendingPathComponent("config").path]
    }

    func testEnvironmentBeatsProfiles() throws {
        _ = try write("credentials", "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = filesecret\n")
        var environment = baseEnvironment()
        environment["AWS_ACCESS_KEY_ID"] = "ENVKEY"
        environment["AWS_SECRET_ACCESS_KEY"] = "envsecret"
        environment["AWS_SESSION_TOKEN"] = "envtoken"
        let chain = DefaultCredentialChain(environment: environment)
        let credentials = try chain.credentials()
        XCTAssertEqual(credentials.accessKeyID, "ENVKEY")
        XCTAssertEqual(credentials.sessionToken, "envtoken")
        XCTAssertEqual(chain.sourceName, "environment")
    }

    func testCredentialsFileBeatsConfigFileAndProfilesAreParsed() throws {
        _ = try write("credentials", """
            # comment
            ; another comment
            [default]
            aws_access_key_id=DEFAULTKEY
            aws_secret_access_key=defaultsecret

            [work]
            AWS_ACCESS_KEY_ID = WORKKEY
            aws_secret_access_key   =   work secret with spaces\t
            aws_session_token = worktoken
            """)
        _ = try write("config", """
            [default]
            region = eu-west-1
            [profile work]
            aws_access_key_id = CONFIGWORKKEY
            aws_secret_access_key = configworksecret
            s3 =
              max_concurrent_requests = 20
            [profile onlyconfig]
            aws_access_key_id = CONFIGKEY
            aws_secret_access_key = configsecret
            [onlyconfig]
            aws_access_key_id = IGNORED-NOT-A-PROFILE-SECTION
            """)
        var environment = baseEnvironment()
        XCTAssertEqual(try DefaultCredentialChain(environment: environment).credentials().accessKeyID, "DEFAULTKEY")
        environment["AWS_PROFILE"] = "work"
        let work = try DefaultCredentialChain(environment: environment).credentials()
        XCTAssertEqual(work.accessKeyID, "WORKKEY")
        XCTAssertEqual(work.secretAccessKey, "work secret with spaces")
        XCTAssertEqual(work.sessionToken, "worktoken")
        environment["AWS_PROFILE"] = "onlyconfig"
        let chain = DefaultCredentialChain(environment: environment)
        XCTAssertEqual(try chain.credentials().accessKeyID, "CONFIGKEY")
        XCTAssertEqual(chain.sourceName, environment["AWS_CONFIG_FILE"])
    }

    func testNamedProfileThatDoesNotExistIsAnError() throws {
        _ = try write("credentials", "[default]\naws_access_key_id = K\naws_secret_access_key = S\n")
        var environment = baseEnvironment()
        environment["AWS_PROFILE"] = "missing"
        XCTAssertThrowsError(try DefaultCredentialChain(environment: environment).credentials()) { error in
            XCTAssertTrue("\(error)".contains("profile \"missing\""), "\(error)")
        }
    }

    func testErrorListsEverySourceAndNoSecret() throws {
        _ = try write("credentials", "[default]\naws_access_key_id = HALFKEY\n")
        var environment = baseEnvironment()
        environment["AWS_SESSION_TOKEN"] = "secret-session-token"
        XCTAssertThrowsError(try DefaultCredentialChain(environment: environment).credentials()) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("environment:"), text)
            XCTAssertTrue(text.contains("web identity:"), text)
            XCTAssertTrue(text.contains("only one of aws_access_key_id and aws_secret_access_key"), text)
            XCTAssertFalse(text.contains("secret-session-token"), text)
            XCTAssertFalse(text.contains("HALFKEY"), text)
        }
        var empty = baseEnvironment()
        empty["AWS_SHARED_CREDENTIALS_FILE"] = directory.appendingPathComponent("absent").path
        XCTAssertThrowsError(try DefaultCredentialChain(environment: empty).credentials()) { error in
            let attempts = (error as? CredentialChainError)?.attempts.map(\.source) ?? []
            XCTAssertEqual(attempts.count, 7, "\(error)")
            XCTAssertEqual(attempts.first, "environment")
            XCTAssertEqual(attempts.last, "instance metadata")
        }
    }

    func testPartialEnvironmentIsAnError() {
        var environment = baseEnvironment()
        environment["AWS_ACCESS_KEY_ID"] = "ONLYKEY"
        XCTAssertThrowsError(try DefaultCredentialChain(environment: environment).credentials()) { error in
            XCTAssertTrue("\(error)".contains("AWS_SECRET_ACCESS_KEY"), "\(error)")
        }
    }

    func testContainerEndpointWithAuthorizationTokenFile() throws {
        let responder = try TinyHTTPResponder(body: """
            {"AccessKeyId":"ASIACONTAINER","SecretAccessKey":"containersecret","Token":"containertoken","Expiration":"2030-01-01T00:00:00Z"}
            """)
        var environment = baseEnvironment()
        environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://127.0.0.1:\(responder.port)/creds?id=1"
        environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = try write("token", "Bearer from-file\n")
        environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "from-env"
        let chain = DefaultCredentialChain(environment: environment, clock: FixedClock(AWSTimestamp(epochSeconds: 1_800_000_000)))
        let credentials = try chain.credentials()
        XCTAssertEqual(credentials.accessKeyID, "ASIACONTAINER")
        XCTAssertEqual(credentials.sessionToken, "containertoken")
        XCTAssertEqual(credentials.expiration, AWSTimestamp(iso8601: "2030-01-01T00:00:00Z"))
        let head = try XCTUnwrap(responder.requests.first)
        XCTAssertTrue(head.hasPrefix("GET /creds?id=1 HTTP/1.1"), head)
        XCTAssertTrue(head.contains("Authorization: Bearer from-file"), head)
    }

    func testContainerEndpointFailureAndDisallowedHost() throws {
        let responder = try TinyHTTPResponder(status: 500, body: "{}")
        var environment = baseEnvironment()
        environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://127.0.0.1:\(responder.port)/"
        environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "secret-auth-token"
        XCTAssertThrowsError(try DefaultCredentialChain(environment: environment).credentials()) { error in
            XCTAssertTrue("\(error)".contains("HTTP 500"), "\(error)")
            XCTAssertFalse("\(error)".contains("secret-auth-token"), "\(error)")
        }
        environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://192.0.2.1/creds"
        XCTAssertThrowsError(try DefaultCredentialChain(environment: environment).credentials()) { error in
            XCTAssertTrue("\(error)".contains("neither loopback nor a container endpoint"), "\(error)")
        }
    }

    func testRefreshHappensBeforeExpiryWithInjectedClock() throws {
        let clock = ManualClock(1_000_000)
        let fetches = Mutex(0)
        let provider = RefreshingCredentialProvider(clock: clock, refreshBeforeExpirySeconds: 300) {
            let count = fetches.withLock { $0 += 1; return $0 }
            return SigningCredentials(accessKeyID: "KEY\(count)", secretAccessKey: "s", sessionToken: "t",
                                      expiration: clock.now().adding(seconds: 3600))
        }
        XCTAssertEqual(try provider.credentials().accessKeyID, "KEY1")
        clock.advance(3600 - 301)
        XCTAssertEqual(try provider.credentials().accessKeyID, "KEY1", "still more than 5 minutes left")
        clock.advance(2)
        XCTAssertEqual(try provider.credentials().accessKeyID, "KEY2", "refreshed inside the 5-minute window")
        XCTAssertEqual(fetches.withLock { $0 }, 2)
    }

    func testFailedRefreshKeepsStillValidCredentials() throws {
        let clock = ManualClock(1_000_000)
        let fail = Mutex(false)
        struct Down: Error {}
        let provider = RefreshingCredentialProvider(clock: clock, refreshBeforeExpirySeconds: 300) {
            if fail.withLock({ $0 }) { throw Down() }
            return SigningCredentials(accessKeyID: "KEY", secretAccessKey: "s", expiration: clock.now().adding(seconds: 600))
        }
        _ = try provider.credentials()
        fail.withLock { $0 = true }
        clock.advance(400)
        XCTAssertEqual(try provider.credentials().accessKeyID, "KEY", "valid for 200 s more")
        clock.advance(300)
        XCTAssertThrowsError(try provider.credentials())
    }

    func testSTSErrorResponseIsReported() throws {
        let responder = try TinyHTTPResponder(status: 403, body: """
            <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>\
            <Code>AccessDenied</Code><Message>User is not authorized &amp; stuff</Message></Error></ErrorResponse>
            """)
        var environment = baseEnvironment()
        environment["AWS_ENDPOINT_URL_STS"] = "http://127.0.0.1:\(responder.port)"
        environment["AWS_ROLE_ARN"] = "arn:aws:iam::123456789012:role/web"
        environment["AWS_WEB_IDENTITY_TOKEN_FILE"] = try write("web-token", "secret-web-token")
        XCTAssertThrowsError(try DefaultCredentialChain(environment: environment).credentials()) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("HTTP 403 AccessDenied: User is not authorized & stuff"), text)
            XCTAssertFalse(text.contains("secret-web-token"), text)
        }
    }
}
