import AWSSigV4
import Foundation
import Testing

@Suite struct SigningPrimitivesTests {
    @Test func timestampFormatsMatchFoundation() {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        // Spread over leap years, century boundaries and the far future.
        for epoch: Int64 in [0, 951_782_400, 1_709_208_000, 1_795_262_400, 4_102_444_799, 4_107_542_400, 253_402_300_799] {
            let timestamp = AWSTimestamp(epochSeconds: epoch)
            #expect(timestamp.amzDate == formatter.string(from: Date(timeIntervalSince1970: TimeInterval(epoch))))
            #expect(timestamp.dateStamp == String(timestamp.amzDate.prefix(8)))
            #expect(AWSTimestamp(iso8601: timestamp.iso8601) == timestamp)
        }
    }

    @Test func iso8601Parsing() {
        #expect(AWSTimestamp(iso8601: "2026-11-21T12:00:00Z")?.epochSeconds == 1_795_262_400)
        #expect(AWSTimestamp(iso8601: "2026-11-21T12:00:00.123Z")?.epochSeconds == 1_795_262_400)
        #expect(AWSTimestamp(iso8601: "2026-11-21T13:30:00+01:30")?.epochSeconds == 1_795_262_400)
        #expect(AWSTimestamp(iso8601: "2026-11-21T10:00:00-02:00")?.epochSeconds == 1_795_262_400)
        for broken in ["", "2026-11-21", "2026-13-01T00:00:00Z", "2026-11-21T12:00:00", "2026-11-21T12:00:00Zjunk",
                       "2026-11-21T12:00:00.Z", "x026-11-21T12:00:00Z"] {
            #expect(AWSTimestamp(iso8601: broken) == nil, "\(broken)")
        }
    }

    @Test func credentialsDescriptionRedactsSecrets() {
        let credentials = SigningCredentials(
            accessKeyID: "AKIDEXAMPLE", secretAccessKey: "very-secret-key", sessionToken: "very-secret-token",
            expiration: AWSTimestamp(epochSeconds: 1_795_262_400))
        for text in ["\(credentials)", String(describing: credentials), String(reflecting: credentials)] {
            #expect(!text.contains("very-secret"), "\(text)")
            #expect(text.contains("AKIDEXAMPLE"), "\(text)")
            #expect(text.contains("2026-11-21T12:00:00Z"), "\(text)")
        }
    }

    @Test func signedRequestDescriptionHidesSignatureAndToken() {
        let signer = SigV4Signer(region: "us-east-1", service: "sts")
        let credentials = SigningCredentials(accessKeyID: "AKID", secretAccessKey: "secret", sessionToken: "token-value")
        let signed = signer.presign(SigningRequest(method: "GET", host: "sts.amazonaws.com"), credentials: credentials,
                                    date: AWSTimestamp(epochSeconds: 1_795_262_400), expiresInSeconds: 60)
        let text = "\(signed)"
        #expect(!text.contains(signed.details.signature), "\(text)")
        #expect(!text.contains("token-value"), "\(text)")
    }

    @Test func percentEncoding() {
        #expect(AWSPercentEncoding.encodeQueryComponent("a b/c~d_e.f-g+h*") == "a%20b%2Fc~d_e.f-g%2Bh%2A")
        #expect(AWSPercentEncoding.encodePath("/a b/ü") == "/a%20b/%C3%BC")
        #expect(AWSPercentEncoding.decode("a%20b%2fc+%zz%4") == "a b/c+%zz%4")
    }

    @Test func concurrentSigningAgreesWithSerialSigning() async {
        let cache = SigningKeyCache(capacity: 2)
        let request = SigningRequest(method: "GET", host: "example.amazonaws.com", query: [("Action", "Test")])
        let credentials = SigningCredentials(accessKeyID: "AKID", secretAccessKey: "secret")
        func signature(day: Int64, region: String) -> String {
            SigV4Signer(region: region, service: "svc", keyCache: cache)
                .signHeaders(request, credentials: credentials, date: AWSTimestamp(epochSeconds: 1_795_262_400 + day * 86_400))
                .details.signature
        }
        let regions = ["us-east-1", "eu-west-1", "ap-south-1"]
        var expected: [String: String] = [:]
        for day: Int64 in 0..<4 { for region in regions { expected["\(day)/\(region)"] = signature(day: day, region: region) } }
        // Distinct scopes give distinct keys, and a small cache under contention never mixes them up.
        #expect(Set(expected.values).count == expected.count)
        let snapshot = expected
        await withTaskGroup(of: (String, String).self) { group in
            for round in 0..<200 {
                let day = Int64(round % 4), region = regions[round % 3]
                group.addTask { ("\(day)/\(region)", signature(day: day, region: region)) }
            }
            for await (scope, value) in group {
                #expect(value == snapshot[scope], "\(scope)")
            }
        }
    }
}
