import Foundation
import Testing

@testable import LambdaRuntime

@Suite struct JSONTextTests {
    @Test(arguments: [
        "plain",
        "quote \" and backslash \\",
        "new\nline\r\ttab",
        "control \u{01}\u{1F}\u{7F} bell \u{07} backspace \u{08} formfeed \u{0C}",
        "unicode é 漢字 🚀 and separators \u{2028}\u{2029}",
        "",
    ])
    func quotedTextRoundTripsThroughAJSONParser(_ text: String) throws {
        let quoted = JSONText.quoted(text)
        let parsed = try JSONSerialization.jsonObject(with: Data(quoted.utf8), options: [.fragmentsAllowed])
        #expect(parsed as? String == text)
    }

    @Test func controlCharactersAreEscapedNotEmitted() {
        let quoted = JSONText.quoted("a\u{01}b\nc\u{2028}")
        #expect(quoted == "\"a\\u0001b\\nc\\u2028\"")
        #expect(!quoted.unicodeScalars.contains { $0.value < 0x20 })
    }

    @Test func errorBodyHasTheRuntimeAPIShape() throws {
        let body = LambdaErrorBody.encode(errorType: "Function.InvalidEvent", errorMessage: "bad \"event\"\n")
        let object = try parseJSONObject(String(decoding: body, as: UTF8.self))
        #expect(object["errorType"] as? String == "Function.InvalidEvent")
        #expect(object["errorMessage"] as? String == "bad \"event\"\n")
        #expect((object["stackTrace"] as? [Any])?.isEmpty == true)
        #expect(object.count == 3)
    }

    @Test func functionErrorsGetTheDefaultBody() throws {
        let error = LambdaError.invalidConfiguration(variable: "KAFKA_CONFIG_X", reason: "must be a number")
        let object = try parseJSONObject(String(decoding: error.errorBody, as: UTF8.self))
        #expect(object["errorType"] as? String == "Function.InvalidConfiguration")
        let message = try #require(object["errorMessage"] as? String)
        #expect(message.contains("KAFKA_CONFIG_X"))
    }
}
