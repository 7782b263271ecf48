import Encoding
import Foundation
import Testing

@Suite struct Base64Tests {
    /// RFC 4648 section 10.
    static let vectors = [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="),
                          ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")]

    @Test func standardAlphabetMatchesTheRFCVectors() {
        for (plain, encoded) in Self.vectors {
            #expect(Base64.encode(Array(plain.utf8)) == encoded)
            #expect(Base64.decode(encoded) == Array(plain.utf8))
        }
    }

    @Test func bothAlphabetsAgreeWithFoundationOnEveryLength() {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let reference = Data(bytes).base64EncodedString()
            #expect(Base64.encode(bytes) == reference)
            #expect(Base64.decode(reference) == bytes)
            let url = reference.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
            #expect(Base64URL.encodeWithoutPadding(bytes) == url)
            #expect(Base64URL.decode(url) == bytes)
            #expect(Base64.decode(url + String(repeating: "=", count: (4 - url.count % 4) % 4), alphabet: .url, padding: .optional) == bytes)
        }
    }

    @Test(arguments: ["Zg", "Zg=", "Z===", "Zm9v=", "Zm=v", "Zm9*", "Zm9-", "Zm9_", "=Zm9"])
    func standardDecodingRejectsNonCanonicalText(_ text: String) {
        #expect(Base64.decode(text) == nil)
    }

    @Test(arguments: ["a", "ab*c", "Zm+v", "Zm/v", "Zg=", "Zm=v"])
    func urlDecodingRejectsForeignSymbolsAndBadLengths(_ text: String) {
        #expect(Base64URL.decode(text) == nil)
    }
}

@Suite struct CStringTests {
    @Test func decodesUpToTheFirstNUL() {
        var buffer = CString.errorBuffer()
        #expect(buffer.count == 512)
        for (index, byte) in "broker down".utf8.enumerated() { buffer[index] = CChar(bitPattern: byte) }
        #expect(CString.decode(buffer) == "broker down")
        #expect(CString.decode(CString.errorBuffer()) == "")
    }

    @Test func aBufferWithoutNULIsReadWholeAndBadUTF8IsRepaired() {
        let buffer: [CChar] = [0x61, 0x62, CChar(bitPattern: 0xFF)]
        #expect(CString.decode(buffer) == "ab\u{FFFD}")
    }
}
