import AWSSigV4
import Foundation
import Testing
import TestSupport

/// Compares every case botocore signed (scripts/sigv4-vectors/generate.py) with our signer.
@Suite struct BotocoreVectorTests {
    struct Case: Decodable {
        var name: String
        var input: Input
        var expected: Expected
    }

    struct Input: Decodable, SigningVectorInput {
        var mode: String
        var s3: Bool
        var method: String
        var scheme: String
        var host: String
        var url: String
        var path: String
        var query: [[String]]
        var headers: [[String]]
        var body: String?
        /// S3 presigned URLs sign `UNSIGNED-PAYLOAD`.
        var unsignedPayload: Bool
        var accessKeyID: String
        var secretAccessKey: String
        var sessionToken: String?
        var region: String
        var service: String
        var epochSeconds: Int64
        var expiresInSeconds: Int
    }

    struct Expected: Decodable {
        var canonicalRequest: String
        var stringToSign: String
        var signature: String
        var headers: [[String]]
        var url: String
    }

    static func cases() throws -> [Case] {
        try SigningVectors.cases("sigv4-vectors", in: .module)
    }

    @Test func fixtureHasEnoughCases() throws {
        let cases = try Self.cases()
        #expect(cases.count >= 60)
        #expect(cases.contains { $0.input.mode == "presign" })
        #expect(cases.contains { $0.input.s3 })
    }

    @Test func everyBotocoreVectorSignsTheSame() throws {
        for testCase in try Self.cases() {
            let input = testCase.input
            let request = SigningRequest(
                method: input.method, scheme: input.scheme, host: input.host, path: input.path,
                query: try pairs(input.query), headers: try pairs(input.headers),
                payload: input.unsignedPayload ? .unsigned : .bytes(Array((input.body ?? "").utf8)))
            let signer = SigV4Signer(region: input.region, service: input.service, options: input.s3 ? .s3 : SigV4Signer.Options())
            let date = AWSTimestamp(epochSeconds: input.epochSeconds)
            let signed = input.mode == "presign"
                ? signer.presign(request, credentials: input.credentials, date: date, expiresInSeconds: input.expiresInSeconds)
                : signer.signHeaders(request, credentials: input.credentials, date: date)

            let expected = testCase.expected
            #expect(signed.details.canonicalRequest == expected.canonicalRequest, "canonical request of \(testCase.name)")
            #expect(signed.details.stringToSign == expected.stringToSign, "string to sign of \(testCase.name)")
            #expect(signed.details.signature == expected.signature, "signature of \(testCase.name)")
            #expect(signed.request.headers.map { [$0.name, $0.value] } == expected.headers, "headers of \(testCase.name)")
            // botocore keeps a default port and an empty path as written; we drop the port and write "/"
            // (same Host header, same canonical path, same signature).
            var expectedURL = expected.url.replacingOccurrences(of: "://localhost:80/", with: "://localhost/")
            if input.path.isEmpty { expectedURL = expectedURL.replacingOccurrences(of: input.host, with: input.host + "/") }
            #expect(signed.url == expectedURL, "URL of \(testCase.name)")
        }
    }

    @Test func parsingTheURLGivesTheSameRequestParts() throws {
        for testCase in try Self.cases() {
            let input = testCase.input
            let parsed = try #require(SigningRequest(method: input.method, url: input.url), "\(testCase.name)")
            #expect(parsed.scheme == input.scheme, "\(testCase.name)")
            #expect(parsed.host == input.host, "\(testCase.name)")
            #expect(parsed.path == (input.path.isEmpty ? "/" : input.path), "\(testCase.name)")
            #expect(parsed.query.map { [$0.name, $0.value] } == input.query, "\(testCase.name)")
        }
    }

    private func pairs(_ rows: [[String]]) throws -> [(name: String, value: String)] {
        try rows.map { row in
            guard row.count == 2 else { throw MalformedFixture(row: row) }
            return (row[0], row[1])
        }
    }
}

/// A fixture row that is not a `[name, value]` pair: the vectors are broken, which is a failure.
private struct MalformedFixture: Error, CustomStringConvertible {
    var row: [String]
    var description: String { "malformed fixture row \(row): expected [name, value]" }
}
