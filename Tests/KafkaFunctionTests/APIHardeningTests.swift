@testable import APIGatewayFrontEnd
@testable import DirectFrontEnd
@testable import EventSourceFrontEnd
@testable import FunctionCore
@testable import JSON
@testable import KafkaFunction
@testable import WebSocketFrontEnd
import Testing

@Suite struct APIHardeningTests {
    @Test(arguments: ["h\u{0}x", "h\rx", "h\nx", "a\r\nX-Injected: 1"])
    func headerKeysWithNULOrLineBreaksAreRefused(key: String) throws {
        let escaped = key.unicodeScalars.map { $0.value < 0x20 ? String(format: "\\u%04x", $0.value) : String($0) }.joined()
        for records in [#"[{"value":"v","headers":{"\#(escaped)":"x"}}]"#, #"[{"value":"v","headers":[{"key":"\#(escaped)","value":"x"}]}]"#] {
            do {
                _ = try EventDecoder.decode(Array(#"{"action":"produce","topic":"t","records":\#(records)}"#.utf8))
                Issue.record("accepted the header key \(escaped.debugDescription) in \(records)")
            } catch {
                #expect(error.errorType == "Function.InvalidEvent")
                #expect(error.errorMessage.contains("header key with a NUL, CR or LF"), "\(error.errorMessage)")
                #expect(error.errorMessage.contains("records[0].headers"), "\(error.errorMessage)")
            }
        }
    }

    @Test func serverSideProblemsReachTheCallerWithoutTheirDetails() {
        let detail = "Kafka failed: _TIMED_OUT: SASL/OAUTHBEARER token refresh failed: cannot make an MSK IAM token: "
            + "web identity: STS answered HTTP 403 AccessDenied: User arn:aws:sts::123456789012:assumed-role/kafka-role/s "
            + "is not authorized; AWS_WEB_IDENTITY_TOKEN_FILE /var/run/secrets/eks/token"
        for status in [500, 502, 504] {
            var logged: [String] = []
            let answer = String(decoding: APIGatewayResponse.problem(
                HTTPProblem(status, detail).forAPICaller { logged.append($0) }).serialized(cors: nil), as: UTF8.self)
            #expect(logged == ["API answer \(status): \(detail)"])
            for secret in ["123456789012", "kafka-role", "/var/run/secrets", "AccessDenied", "OAUTHBEARER"] {
                #expect(!answer.contains(secret), "\(status): \(answer)")
            }
            #expect(answer.contains(#""statusCode":\#(status)"#) && answer.contains(#"\"error_code\":\#(status)"#), "\(answer)")
        }
        let clientMistake = HTTPProblem(400, "Field 'records' is required").forAPICaller { _ in Issue.record("logged a 4xx") }
        #expect(clientMistake.message == "Field 'records' is required")
    }

    @Test func corsHeadersComeFromTheSetting() throws {
        let none = String(decoding: APIGatewayResponse.json(200, []).serialized(cors: try CORSPolicy(Environment([:]))), as: UTF8.self)
        #expect(!none.contains("Access-Control-Allow-Origin"), "\(none)")
        let origin = try #require(try CORSPolicy(Environment(["CORS_ALLOW_ORIGIN": "https://app.example.com"])))
        let answer = String(decoding: APIGatewayResponse.json(200, []).serialized(cors: origin), as: UTF8.self)
        #expect(answer.contains(#""Access-Control-Allow-Origin":"https://app.example.com""#), "\(answer)")
        #expect(answer.contains(#""Vary":"Origin""#), "\(answer)")
        let any = try #require(try CORSPolicy(Environment(["CORS_ALLOW_ORIGIN": "*"])))
        #expect(any.headers.first { $0.0 == "Access-Control-Allow-Origin" }?.1 == "*")
        for bad in ["https://app.example.com/path", "app.example.com", "https://a.example.com,https://b.example.com", "null"] {
            #expect(throws: ConfigurationError.self, "\(bad)") { try CORSPolicy(Environment(["CORS_ALLOW_ORIGIN": bad])) }
        }
    }
}
