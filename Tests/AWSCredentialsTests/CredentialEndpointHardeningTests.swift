@testable import AWSCredentials
import Foundation
import TestSupport
import Testing

/// The container endpoint and STS are reached over the network with what the environment says:
/// the host must be one botocore would accept, the token a legal header value, the answer small.
@Suite(.offCooperativePool) struct CredentialEndpointHardeningTests {
    static let credentialsJSON = """
        {"AccessKeyId":"ASIACONTAINER","SecretAccessKey":"containersecret","Token":"containertoken","Expiration":"2030-01-01T00:00:00Z"}
        """

    private func chainError(_ environment: [String: String]) -> String {
        do {
            let credentials = try DefaultCredentialChain(environment: isolated(environment)).credentials()
            return "no error: got \(credentials.accessKeyID)"
        } catch {
            return "\(error)"
        }
    }

    /// No AWS variables or files of the machine running the tests.
    private func isolated(_ environment: [String: String]) -> [String: String] {
        environment.merging([
            "HOME": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials",
            "AWS_CONFIG_FILE": "/nonexistent/config",
        ]) { current, _ in current }
    }

    @Test(arguments: [
        "http://127.attacker.example.com/creds", "http://127.0.0.1.nip.io/creds", "http://127.0.0.1x/",
        "http://localhost.attacker.example.com/", "http://169.254.170.2.attacker.example.com/",
        "http://[::2]/", "http://[fd00:ec2::24]/", "http://0x7f.0.0.1/", "http://2130706433/",
    ])
    func namesThatLookLikeLoopbackAreRefused(url: String) {
        let error = chainError(["AWS_CONTAINER_CREDENTIALS_FULL_URI": url])
        #expect(error.contains("neither loopback nor a container endpoint"), "\(url): \(error)")
    }

    @Test func loopbackAndContainerAddressesAreAllowedOverPlainHTTP() {
        for host in ["127.0.0.1", "127.5.6.7", "[::1]", "[0:0:0:0:0:0:0:1]", "169.254.170.2", "169.254.170.23",
                     "[fd00:ec2::23]", "localhost"] {
            #expect(ContainerEndpointHost.allowsPlainHTTP(host), "\(host)")
        }
        for host in ["127.attacker.example.com", "128.0.0.1", "169.254.170.3", "[::ffff:127.0.0.1]", "", "[]"] {
            #expect(!ContainerEndpointHost.allowsPlainHTTP(host), "\(host)")
        }
    }

    @Test func aLineBreakInTheAuthorizationTokenIsRefusedBeforeAnyRequest() throws {
        let responder = try TinyHTTPResponder(body: Self.credentialsJSON)
        let url = "http://127.0.0.1:\(responder.port)/creds"
        let error = chainError([
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": url, "AWS_CONTAINER_AUTHORIZATION_TOKEN": "abc\r\nX-Injected: yes",
        ])
        #expect(error.contains("AWS_CONTAINER_AUTHORIZATION_TOKEN: the authorization token contains a line break"), "\(error)")
        #expect(!error.contains("X-Injected"))
        #expect(responder.requests.isEmpty, "\(responder.requests)")

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("token-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let tokenFile = directory.appendingPathComponent("token").path
        try "Bearer a\nX-Injected: yes\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let fileError = chainError(["AWS_CONTAINER_CREDENTIALS_FULL_URI": url, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile])
        #expect(fileError.contains("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: the authorization token contains"), "\(fileError)")
        #expect(responder.requests.isEmpty, "\(responder.requests)")
    }

    @Test(arguments: [true, false])
    func aContainerAnswerLargerThanOneMebibyteIsRefused(declaresLength: Bool) throws {
        // Valid credentials JSON, padded past the cap with whitespace the decoder would accept.
        let padded = Self.credentialsJSON.dropLast() + String(repeating: " ", count: 2 << 20) + "}"
        let responder = try TinyHTTPResponder(body: String(padded), declaresLength: declaresLength)
        let error = chainError(["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:\(responder.port)/creds"])
        #expect(error.contains("larger than 1048576 bytes"), "\(error)")
    }

    @Test func anSTSAnswerLargerThanOneMebibyteIsRefused() throws {
        let result = "<AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIASTS</AccessKeyId>"
            + "<SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken>"
            + "<Expiration>2030-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleWithWebIdentityResult>"
        let body = "<AssumeRoleWithWebIdentityResponse>" + String(repeating: " ", count: 2 << 20) + result
            + "</AssumeRoleWithWebIdentityResponse>"
        let responder = try TinyHTTPResponder(body: body, declaresLength: false)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let tokenFile = directory.appendingPathComponent("web-token").path
        try "web-token".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let error = chainError([
            "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:\(responder.port)", "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/web",
            "AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile,
        ])
        #expect(error.contains("larger than 1048576 bytes"), "\(error)")
    }
}
