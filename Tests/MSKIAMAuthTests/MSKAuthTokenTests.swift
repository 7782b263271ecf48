import AWSSigV4
import Foundation
import MSKIAMAuth
import Testing
import TestSupport

@Suite struct MSKAuthTokenTests {
    struct Case: Decodable {
        var name: String
        var source: String
        var input: Input
        var expected: Expected
    }
    struct Input: Decodable, SigningVectorInput {
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
    @Test func tokensMatchTheAWSPythonSignerByteForByte() throws {
        let cases: [Case] = try SigningVectors.cases("msk-vectors", in: .module)
        #expect(!cases.isEmpty)
        for testCase in cases {
            let input = testCase.input
            let provider = try MSKAuthTokenProvider(
                region: input.region, credentials: StaticCredentialProvider(input.credentials),
                clock: input.clock, userAgent: input.userAgent)
            let token = try provider.token()
            #expect(token.value == testCase.expected.token, "\(testCase.name)")
            #expect(token.presignedURL == testCase.expected.url, "\(testCase.name)")
            #expect(token.expiresAtEpochMilliseconds == testCase.expected.expiresAtEpochMilliseconds, "\(testCase.name)")
            #expect(Base64URL.decode(token.value).map { String(decoding: $0, as: UTF8.self) } == testCase.expected.url)
        }
    }

    @Test func urlHasTheSignersShapeAndTheDefaultUserAgent() throws {
        let provider = try MSKAuthTokenProvider(
            region: "eu-west-1", credentials: StaticCredentialProvider(SigningCredentials(accessKeyID: "AKID", secretAccessKey: "s")),
            clock: FixedClock(now))
        let token = try provider.token()
        #expect(!token.value.contains("="))
        #expect(!token.value.contains("+"))
        #expect(!token.value.contains("/"))
        let components = try #require(URLComponents(string: token.presignedURL))
        #expect(components.host == "kafka.eu-west-1.amazonaws.com")
        #expect(components.path == "/")
        let items = try #require(components.queryItems)
        #expect(items.map(\.name) == ["Action", "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
                                       "X-Amz-SignedHeaders", "X-Amz-Signature", "User-Agent"])
        #expect(items.first?.value == "kafka-cluster:Connect")
        #expect(items.first { $0.name == "X-Amz-Expires" }?.value == "900")
        #expect(items.first { $0.name == "X-Amz-SignedHeaders" }?.value == "host")
        #expect(items.first { $0.name == "X-Amz-Credential" }?.value == "AKID/20261121/eu-west-1/kafka-cluster/aws4_request")
        #expect(items.last?.value == "swift-lambda-kafka/\(MSKAuthTokenProvider.libraryVersion)")
        #expect(token.presignedURL.hasSuffix("&User-Agent=swift-lambda-kafka%2F\(MSKAuthTokenProvider.libraryVersion)"))
        #expect(token.expiresAtEpochMilliseconds == (now.epochSeconds + 900) * 1000)
    }

    @Test func lifetimeNeverOutlivesTheCredentials() throws {
        for (remaining, expected) in [(Int64(300), Int64(300)), (899, 899), (900, 900), (3600, 900)] {
            let credentials = SigningCredentials(
                accessKeyID: "AKID", secretAccessKey: "secret", sessionToken: "token",
                expiration: now.adding(seconds: remaining))
            let provider = try MSKAuthTokenProvider(
                region: "us-east-1", credentials: StaticCredentialProvider(credentials), clock: FixedClock(now))
            let token = try provider.token()
            #expect(token.expiresAtEpochMilliseconds == (now.epochSeconds + expected) * 1000, "remaining \(remaining)")
            // The URL still says 900 s, as AWS's signers write it.
            #expect(token.presignedURL.contains("X-Amz-Expires=900&"))
        }
    }

    @Test func expiredOrEmptyCredentialsAreRefused() throws {
        let expired = SigningCredentials(
            accessKeyID: "AKIDEXPIRED", secretAccessKey: "secret-value", sessionToken: "token-value",
            expiration: now.adding(seconds: -1))
        let provider = try MSKAuthTokenProvider(region: "us-east-1", credentials: StaticCredentialProvider(expired), clock: FixedClock(now))
        if let error = #expect(throws: (any Error).self, performing: { try provider.token() }) {
            let text = "\(error)"
            #expect(text.contains("expired"), "\(text)")
            #expect(!(text.contains("secret-value") || text.contains("token-value")), "\(text)")
        }
        let empty = try MSKAuthTokenProvider(
            region: "us-east-1", credentials: StaticCredentialProvider(SigningCredentials(accessKeyID: "", secretAccessKey: "")),
            clock: FixedClock(now))
        #expect(throws: (any Error).self) { try empty.token() }
    }

    @Test func invalidRegionIsRefused() {
        for region in ["", "us-east-1.evil.com/", "US-EAST-1", "us east"] {
            #expect(throws: (any Error).self, "\(region)") {
                try MSKAuthTokenProvider(region: region, credentials: StaticCredentialProvider(
                    SigningCredentials(accessKeyID: "a", secretAccessKey: "b")))
            }
        }
    }

    @Test func descriptionHidesTheToken() throws {
        let provider = try MSKAuthTokenProvider(
            region: "us-east-1",
            credentials: StaticCredentialProvider(SigningCredentials(accessKeyID: "AKID", secretAccessKey: "s", sessionToken: "t")),
            clock: FixedClock(now))
        let token = try provider.token()
        for text in ["\(token)", String(reflecting: token)] {
            #expect(!text.contains(token.value), "\(text)")
            #expect(!text.contains("X-Amz-Signature"), "\(text)")
            #expect(text.contains("<redacted>"), "\(text)")
        }
    }

    @Test func credentialProviderErrorsPassThrough() throws {
        struct Unavailable: Error {}
        struct FailingProvider: CredentialProvider {
            func credentials() throws -> SigningCredentials { throw Unavailable() }
        }
        let provider = try MSKAuthTokenProvider(region: "us-east-1", credentials: FailingProvider(), clock: FixedClock(now))
        #expect(throws: Unavailable.self) { try provider.token() }
    }

    @Test func base64URLRoundTrips() {
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 * 37 + 250) }
            let encoded = Base64URL.encodeWithoutPadding(bytes)
            #expect(encoded == Data(bytes).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: ""))
            #expect(Base64URL.decode(encoded) == bytes)
        }
        #expect(Base64URL.decode("a") == nil)
        #expect(Base64URL.decode("ab*c") == nil)
    }
}
