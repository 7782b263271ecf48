import AWSCredentials
import AWSSigV4
import Foundation
import Synchronization
import TestSupport
import Testing

/// A clock the test moves by hand.
final class ManualClock: AWSClock {
    private let current: Mutex<Int64>
    init(_ start: Int64) { current = Mutex(start) }
    func now() -> AWSTimestamp { AWSTimestamp(epochSeconds: current.withLock { $0 }) }
    func advance(_ seconds: Int64) { current.withLock { $0 += seconds } }
}

/// Each test gets its own directory for credentials and config files, removed when the test ends.
@Suite(.offCooperativePool) final class CredentialChainTests {
    private let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("creds-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    private func write(_ name: String, _ text: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// What resolving credentials from `environment` throws; a recorded failure if it does not throw.
    private func resolutionError(_ environment: [String: String], sourceLocation: SourceLocation = #_sourceLocation) -> (any Error)? {
        #expect(throws: (any Error).self, sourceLocation: sourceLocation) {
            try DefaultCredentialChain(environment: environment).credentials()
        }
    }

    /// An environment with no AWS variables and files under the test's directory.
    private func baseEnvironment() -> [String: String] {
        ["HOME": directory.path, "AWS_SHARED_CREDENTIALS_FILE": directory.appendingPathComponent("credentials").path,
         "AWS_CONFIG_FILE": directory.appendingPathComponent("config").path]
    }

    @Test func environmentBeatsProfiles() throws {
        _ = try write("credentials", "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = filesecret\n")
        var environment = baseEnvironment()
        environment["AWS_ACCESS_KEY_ID"] = "ENVKEY"
        environment["AWS_SECRET_ACCESS_KEY"] = "envsecret"
        environment["AWS_SESSION_TOKEN"] = "envtoken"
        let chain = DefaultCredentialChain(environment: environment)
        let credentials = try chain.credentials()
        #expect(credentials.accessKeyID == "ENVKEY")
        #expect(credentials.sessionToken == "envtoken")
        #expect(chain.sourceName == "environment")
    }

    @Test func credentialsFileBeatsConfigFileAndProfilesAreParsed() throws {
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
        #expect(try DefaultCredentialChain(environment: environment).credentials().accessKeyID == "DEFAULTKEY")
        environment["AWS_PROFILE"] = "work"
        let work = try DefaultCredentialChain(environment: environment).credentials()
        #expect(work.accessKeyID == "WORKKEY")
        #expect(work.secretAccessKey == "work secret with spaces")
        #expect(work.sessionToken == "worktoken")
        environment["AWS_PROFILE"] = "onlyconfig"
        let chain = DefaultCredentialChain(environment: environment)
        #expect(try chain.credentials().accessKeyID == "CONFIGKEY")
        #expect(chain.sourceName == environment["AWS_CONFIG_FILE"])
    }

    @Test func namedProfileThatDoesNotExistIsAnError() throws {
        _ = try write("credentials", "[default]\naws_access_key_id = K\naws_secret_access_key = S\n")
        var environment = baseEnvironment()
        environment["AWS_PROFILE"] = "missing"
        if let error = resolutionError(environment) {
            #expect("\(error)".contains("profile \"missing\""), "\(error)")
        }
    }

    @Test func errorListsEverySourceAndNoSecret() throws {
        _ = try write("credentials", "[default]\naws_access_key_id = HALFKEY\n")
        var environment = baseEnvironment()
        environment["AWS_SESSION_TOKEN"] = "secret-session-token"
        if let error = resolutionError(environment) {
            let text = "\(error)"
            #expect(text.contains("environment:"), "\(text)")
            #expect(text.contains("web identity:"), "\(text)")
            #expect(text.contains("only one of aws_access_key_id and aws_secret_access_key"), "\(text)")
            #expect(!text.contains("secret-session-token"), "\(text)")
            #expect(!text.contains("HALFKEY"), "\(text)")
        }
        var empty = baseEnvironment()
        empty["AWS_SHARED_CREDENTIALS_FILE"] = directory.appendingPathComponent("absent").path
        if let error = resolutionError(empty) {
            let attempts = (error as? CredentialChainError)?.attempts.map(\.source) ?? []
            #expect(attempts.count == 7, "\(error)")
            #expect(attempts.first == "environment")
            #expect(attempts.last == "instance metadata")
        }
    }

    @Test func partialEnvironmentIsAnError() {
        var environment = baseEnvironment()
        environment["AWS_ACCESS_KEY_ID"] = "ONLYKEY"
        if let error = resolutionError(environment) {
            #expect("\(error)".contains("AWS_SECRET_ACCESS_KEY"), "\(error)")
        }
    }

    @Test func containerEndpointSendsTheAuthorizationTokenFromItsFile() throws {
        let responder = try TinyHTTPResponder(body: """
            {"AccessKeyId":"ASIACONTAINER","SecretAccessKey":"containersecret","Token":"containertoken","Expiration":"2030-01-01T00:00:00Z"}
            """)
        var environment = baseEnvironment()
        environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://127.0.0.1:\(responder.port)/creds?id=1"
        environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = try write("token", "Bearer from-file\n")
        environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "from-env"
        let chain = DefaultCredentialChain(environment: environment, clock: FixedClock(AWSTimestamp(epochSeconds: 1_800_000_000)))
        let credentials = try chain.credentials()
        #expect(credentials.accessKeyID == "ASIACONTAINER")
        #expect(credentials.sessionToken == "containertoken")
        #expect(credentials.expiration == AWSTimestamp(iso8601: "2030-01-01T00:00:00Z"))
        let head = try #require(responder.requests.first)
        #expect(head.hasPrefix("GET /creds?id=1 HTTP/1.1"), "\(head)")
        #expect(head.contains("Authorization: Bearer from-file"), "\(head)")
    }

    @Test func containerEndpointFailureAndDisallowedHostAreErrors() throws {
        let responder = try TinyHTTPResponder(status: 500, body: "{}")
        var environment = baseEnvironment()
        environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://127.0.0.1:\(responder.port)/"
        environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "secret-auth-token"
        if let error = resolutionError(environment) {
            #expect("\(error)".contains("HTTP 500"), "\(error)")
            #expect(!"\(error)".contains("secret-auth-token"), "\(error)")
        }
        environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://192.0.2.1/creds"
        if let error = resolutionError(environment) {
            #expect("\(error)".contains("neither loopback nor a container endpoint"), "\(error)")
        }
    }

    @Test func refreshHappensBeforeExpiryWithAnInjectedClock() throws {
        let clock = ManualClock(1_000_000)
        let fetches = Mutex(0)
        let provider = RefreshingCredentialProvider(clock: clock, refreshBeforeExpirySeconds: 300) {
            let count = fetches.withLock { $0 += 1; return $0 }
            return SigningCredentials(accessKeyID: "KEY\(count)", secretAccessKey: "s", sessionToken: "t",
                                      expiration: clock.now().adding(seconds: 3600))
        }
        #expect(try provider.credentials().accessKeyID == "KEY1")
        clock.advance(3600 - 301)
        #expect(try provider.credentials().accessKeyID == "KEY1", "still more than 5 minutes left")
        clock.advance(2)
        #expect(try provider.credentials().accessKeyID == "KEY2", "refreshed inside the 5-minute window")
        #expect(fetches.withLock { $0 } == 2)
    }

    @Test func failedRefreshKeepsStillValidCredentials() throws {
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
        #expect(try provider.credentials().accessKeyID == "KEY", "valid for 200 s more")
        clock.advance(300)
        #expect(throws: (any Error).self) { try provider.credentials() }
    }

    @Test func stsErrorResponseIsReported() throws {
        let responder = try TinyHTTPResponder(status: 403, body: """
            <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>\
            <Code>AccessDenied</Code><Message>User is not authorized &amp; stuff</Message></Error></ErrorResponse>
            """)
        var environment = baseEnvironment()
        environment["AWS_ENDPOINT_URL_STS"] = "http://127.0.0.1:\(responder.port)"
        environment["AWS_ROLE_ARN"] = "arn:aws:iam::123456789012:role/web"
        environment["AWS_WEB_IDENTITY_TOKEN_FILE"] = try write("web-token", "secret-web-token")
        if let error = resolutionError(environment) {
            let text = "\(error)"
            #expect(text.contains("HTTP 403 AccessDenied: User is not authorized & stuff"), "\(text)")
            #expect(!text.contains("secret-web-token"), "\(text)")
        }
    }
}
