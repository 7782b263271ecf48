import AWSSigV4
import Foundation
import PostgresSink
import Testing
import TestSupport

/// Tokens of botocore's `generate_db_auth_token` (scripts/sigv4-vectors/generate_rds.py), byte for byte.
@Suite struct RDSAuthTokenTests {
    struct Case: Decodable {
        var name: String
        var input: Input
        var expected: Expected
    }
    struct Input: Decodable, SigningVectorInput {
        var region: String
        var host: String
        var port: Int
        var user: String
        var accessKeyID: String
        var secretAccessKey: String
        var sessionToken: String?
        var epochSeconds: Int64
    }
    struct Expected: Decodable { var token: String }

    static func cases() throws -> [Case] {
        try SigningVectors.cases("rds-token-vectors", in: .module)
    }

    @Test func tokensMatchBotocore() throws {
        let cases = try Self.cases()
        #expect(cases.count >= 5)
        for testCase in cases {
            let input = testCase.input
            let generator = RDSAuthTokenGenerator(
                region: input.region,
                credentials: StaticCredentialProvider(input.credentials), clock: input.clock)
            let token = try generator.token(host: input.host, port: input.port, user: input.user)
            #expect(token.value == testCase.expected.token, "\(testCase.name)")
            #expect(token.createdAtEpochSeconds == input.epochSeconds)
        }
    }

    @Test func descriptionHidesTheToken() throws {
        let generator = RDSAuthTokenGenerator(
            region: "us-east-1",
            credentials: StaticCredentialProvider(SigningCredentials(accessKeyID: "AKID", secretAccessKey: "secret")),
            clock: FixedClock(AWSTimestamp(epochSeconds: 1_795_262_400)))
        let token = try generator.token(host: "db.example.com", port: 5432, user: "app")
        #expect(!"\(token)".contains("Signature"))
        #expect(!String(reflecting: token).contains(token.value))
    }

    @Test func expiredCredentialsAreAnAuthenticationError() {
        let now = AWSTimestamp(epochSeconds: 1_795_262_400)
        let generator = RDSAuthTokenGenerator(
            region: "us-east-1",
            credentials: StaticCredentialProvider(SigningCredentials(
                accessKeyID: "AKID", secretAccessKey: "secret", sessionToken: "t", expiration: now.adding(seconds: -1))),
            clock: FixedClock(now))
        #expect(throws: SinkError.self) { _ = try generator.token(host: "db.example.com", port: 5432, user: "app") }
        do {
            _ = try generator.token(host: "db.example.com", port: 5432, user: "app")
        } catch {
            #expect(error.kind == .authenticationFailed)
            #expect(!error.message.contains("secret"))
        }
    }
}
