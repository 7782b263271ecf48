import AWSSigV4
import Foundation
import MSKIAMAuth
import XCTest

final class MSKAuthTokenTests: XCTestCase {
    struct Fixture: Decodable { var cases: [Case] }
    struct Case: Decodable {
        var name: String
        var source: String
        var input: Input
        var expected: Expected
    }
    struct Input: Decodable {
        var region: String
        var accessKeyID: String
        var secretAccessKey: String
        var sessionToken: String?
        var epochSeconds: Int64
        var userAgent: String
    }
    struct Expected: Decodable {
        var token: String
        var url: String
        var expiresAtEpochMilliseconds: Int64
    }

    private let now = AWSTimestamp(epochSeconds: 1_795_262_400)

    /// Tokens of aws-msk-iam-sasl-signer-python (see scripts/sigv4-vectors/generate.py), byte for byte.
    func testTokensMatchTheAWSPythonSigner() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "msk-vectors", withExtension: "json", subdirectory: "Fixtures"))
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        XCTAssertFalse(fixture.cases.isEmpty)
        for testCase in fixture.cases {
            let input = testCase.input
            let credentials = SigningCredentials(
                accessKeyID: input.accessKeyID, secretAccessKey: input.secretAccessKey, sessionToken: input.sessionToken)
            let provider = try MSKAuthTokenProvider(
                region: input.region, credentials: StaticCredentialProvider(credentials),
                clock: FixedClock(AWSTimestamp(epochSeconds: input.epochSeconds)), userAgent: input.userAgent)
            let token = try provider.token()
            XCTAssertEqual(token.value, testCase.expected.token, testCase.name)
            XCTAssertEqual(token.presignedURL, testCase.expected.url, testCase.name)
            XCTAssertEqual(token.expiresAtEpochMilliseconds, testCase.expected.expiresAtEpochMilliseconds, testCase.name)
            XCTAssertEqual(Base64URL.decode(token.value).map { String(decoding: $0, as: UTF8.self) }, testCase.expected.url)
        }
    }

    func testURLShapeAndDefaultUserAgent() throws {
        let provider = try MSKAuthTokenProvider(
            region: "eu-west-1", credentials: StaticCredentialProvider(SigningCredentials(accessKeyID: "AKID", secretAccessKey: "s")),
            clock: FixedClock(now))
        let token = try provider.token()
        XCTAssertFalse(token.value.contains("="))
        XCTAssertFalse(token.value.contains("+"))
        XCTAssertFalse(token.value.contains("/"))
        let components = try XCTUnwrap(URLComponents(string: token.presignedURL))
        XCTAssertEqual(components.host, "kafka.eu-west-1.amazonaws.com")
        XCTAssertEqual(components.path, "/")
        let items = try XCTUnwrap(components.queryItems)
        XCTAssertEqual(items.map(\.name), ["Action", "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
                                           "X-Amz-SignedHeaders", "X-Amz-Signature", "User-Agent"])
        XCTAssertEqual(items.first?.value, "kafka-cluster:Connect")
        XCTAssertEqual(items.first { $0.name == "X-Amz-Expires" }?.value, "900")
        XCTAssertEqual(items.first { $0.name == "X-Amz-SignedHeaders" }?.value, "host")
        XCTAssertEqual(items.first { $0.name == "X-Amz-Credential" }?.value, "AKID/20261121/eu-west-1/kafka-cluster/aws4_request")
        XCTAssertEqual(items.last?.value, "swift-lambda-kafka/\(MSKAuthTokenProvider.libraryVersion)")
        XCTAssertTrue(token.presignedURL.hasSuffix("&User-Agent=swift-lambda-kafka%2F\(MSKAuthTokenProvider.libraryVersion)"))
        XCTAssertEqual(token.expiresAtEpochMilliseconds, (now.epochSeconds + 900) * 1000)
    }

    func testLifetimeNeverOutlivesTheCredentials() throws {
        for (remaining, expected) in [(Int64(300), Int64(300)), (899, 899), (900, 900), (3600, 900)] {
            let credentials = SigningCredentials(
                accessKeyID: "AKID", secretAccessKey: "secret", sessionToken: "token",
                expiration: now.adding(seconds: remaining))
            let provider = try MSKAuthTokenProvider(
                region: "us-east-1", credentials: StaticCredentialProvider(credentials), clock: FixedClock(now))
            let token = try provider.token()
            XCTAssertEqual(token.expiresAtEpochMilliseconds, (now.epochSeconds + expected) * 1000, "remaining \(remaining)")
            // The URL still says 900 s, as AWS's signers write it.
            XCTAssertTrue(token.presignedURL.contains("X-Amz-Expires=900&"))
        }
    }

    func testExpiredOrEmptyCredentialsAreRefused() throws {
        let expired = SigningCredentials(
            accessKeyID: "AKIDEXPIRED", secretAccessKey: "secret-value", sessionToken: "token-value",
            expiration: now.adding(seconds: -1))
        let provider = try MSKAuthTokenProvider(region: "us-east-1", credentials: StaticCredentialProvider(expired), clock: FixedClock(now))
        XCTAssertThrowsError(try provider.token()) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("expired"), text)
            XCTAssertFalse(text.contains("secret-value") || text.contains("token-value"), text)
        }
        let empty = try MSKAuthTokenProvider(
            region: "us-east-1", credentials: StaticCredentialProvider(SigningCredentials(accessKeyID: "", secretAccessKey: "")),
            clock: FixedClock(now))
        XCTAssertThrowsError(try empty.token())
    }

    func testInvalidRegionIsRefused() {
        for region in ["", "us-east-1.evil.com/", "US-EAST-1", "us east"] {
            XCTAssertThrowsError(
                try MSKAuthTokenProvider(region: region, credentials: StaticCredentialProvider(
                    SigningCredentials(accessKeyID: "a", secretAccessKey: "b"))), region)
        }
    }

    func testDescriptionHidesTheToken() throws {
        let provider = try MSKAuthTokenProvider(
            region: "us-east-1",
            credentials: StaticCredentialProvider(SigningCredentials(accessKeyID: "AKID", secretAccessKey: "s", sessionToken: "t")),
            clock: FixedClock(now))
        let token = try provider.token()
        for text in ["\(token)", String(reflecting: token)] {
            XCTAssertFalse(text.contains(token.value), text)
            XCTAssertFalse(text.contains("X-Amz-Signature"), text)
            XCTAssertTrue(text.contains("<redacted>"), text)
        }
    }

    func testProviderErrorsPassThrough() throws {
        struct Unavailable: Error {}
        struct FailingProvider: CredentialProvider {
            func credentials() throws -> SigningCredentials { throw Unavailable() }
        }
        let provider = try MSKAuthTokenProvider(region: "us-east-1", credentials: FailingProvider(), clock: FixedClock(now))
        XCTAssertThrowsError(try provider.token()) { XCTAssertTrue($0 is Unavailable) }
    }

    func testBase64URLRoundTrip() {
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 * 37 + 250) }
            let encoded = Base64URL.encodeWithoutPadding(bytes)
            XCTAssertEqual(encoded, Data(bytes).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: ""))
            XCTAssertEqual(Base64URL.decode(encoded), bytes)
        }
        XCTAssertNil(Base64URL.decode("a"))
        XCTAssertNil(Base64URL.decode("ab*c"))
    }
}
