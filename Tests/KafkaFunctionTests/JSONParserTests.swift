@testable import APIGatewayFrontEnd
import Encoding
@testable import DirectFrontEnd
@testable import EventSourceFrontEnd
@testable import FunctionCore
@testable import JSON
@testable import KafkaFunction
@testable import WebSocketFrontEnd
import Testing

@Suite struct JSONParserTests {
    private func parse(_ text: String) throws -> JSONValue {
        try JSONParser.parse(Array(text.utf8))
    }

    @Test func parsesEveryKindOfValueAndKeepsMemberOrder() throws {
        let value = try parse(#" {"b": [1, -2.5e3, true, false, null], "a": "x\u00e9\ud83d\ude00\n"} "#)
        #expect(value == .object([
            ("b", .array([.number("1"), .number("-2.5e3"), .bool(true), .bool(false), .null])),
            ("a", .string("xé😀\n")),
        ]))
    }

    @Test func keepsLargeIntegersExactly() throws {
        let text = #"{"id":12345678901234567890123}"#
        #expect(JSONWriter.serialize(try parse(text)) == Array(text.utf8))
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\":1,}", "01", "1.", "-", "1e", "tru", "nul", "\"abc", "\"\\x\"",
        "\"\\ud800\"", "\"\\udc00\"", "{\"a\" 1}", "[1 2]", "{} {}", "\"tab\there\"", "NaN", "'single'",
    ])
    func rejectsMalformedDocuments(_ text: String) {
        #expect(throws: JSONParser.Error.self) { try parse(text) }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse([0x22, 0xFF, 0xFE, 0x22]) }
    }

    @Test func boundsNestingDepth() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParser.Error.self) { try parse(deep) }
        let allowed = String(repeating: "[", count: JSONParser.maximumDepth) + String(repeating: "]", count: JSONParser.maximumDepth)
        _ = try parse(allowed)
    }

    @Test func writerEscapesWhatJSONRequires() throws {
        let original = JSONValue.string("quote\" backslash\\ newline\n bell\u{07} é")
        let bytes = JSONWriter.serialize(original)
        #expect(String(decoding: bytes, as: UTF8.self) == #""quote\" backslash\\ newline\n bell\u0007 é""#)
        #expect(try JSONParser.parse(bytes) == original)
    }
}

@Suite struct Base64Tests {
    @Test(arguments: [[], [0], [0, 1], [0, 1, 2], [0xDE, 0xAD, 0xBE, 0xEF], Array(0...255)] as [[UInt8]])
    func roundTrips(_ bytes: [UInt8]) {
        #expect(Base64.decode(Base64.encode(bytes)) == bytes)
    }

    @Test func matchesRFC4648Vectors() {
        let vectors = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=", "foobar": "Zm9vYmFy"]
        for (plain, encoded) in vectors {
            #expect(Base64.encode(Array(plain.utf8)) == encoded)
            #expect(Base64.decode(encoded) == Array(plain.utf8))
        }
    }

    @Test(arguments: ["Zg=", "Z===", "Zm9v!", "Zg=a", "=Zg="])
    func rejectsNonCanonicalText(_ text: String) {
        #expect(Base64.decode(text) == nil)
    }
}
