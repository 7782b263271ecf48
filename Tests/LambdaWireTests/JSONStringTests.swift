import Encoding
import Foundation
import Testing

@Suite struct JSONStringTests {
    @Test(arguments: [
        "plain",
        "quote \" and backslash \\ and / slash",
        "new\nline\r\ttab",
        "control \u{00}\u{01}\u{1F}\u{7F} bell \u{07} backspace \u{08} formfeed \u{0C}",
        "unicode é 漢字 🚀 and separators \u{2028}\u{2029} and € (also 0xE2 first)",
        "",
    ])
    func quotedTextRoundTripsThroughFoundationsParser(_ text: String) throws {
        let quoted = JSONString.quoted(text)
        let parsed = try JSONSerialization.jsonObject(with: Data(quoted.utf8), options: [.fragmentsAllowed])
        #expect(parsed as? String == text)
    }

    @Test func controlCharactersDeleteAndLineSeparatorsAreEscaped() {
        let quoted = JSONString.quoted("a\u{01}b\nc\u{7F}d\u{2028}e\u{2029}")
        #expect(quoted == #""a\u0001b\nc\u007fd\u2028e\u2029""#)
        #expect(!quoted.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || $0 == "\u{2028}" || $0 == "\u{2029}" })
    }

    @Test func aLoneLineSeparatorIsFoundByTheFastScan() {
        #expect(JSONString.quoted("end\u{2028}") == #""end\u2028""#)
        #expect(JSONString.quoted("\u{2029}") == #""\u2029""#)
    }

    @Test func textWithoutEscapesIsCopiedAsIs() {
        #expect(JSONString.quoted("héllo € ’quoted’ \u{2027}\u{202A}") == "\"héllo € ’quoted’ \u{2027}\u{202A}\"")
        var bytes = Array("x".utf8)
        JSONString.appendQuoted("a\"b", to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == #"x"a\"b""#)
    }
}
