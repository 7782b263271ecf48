import Encoding
import Testing

@testable import JSON

/// The scanner, the UTF-8 check and the escaper skip plain ASCII eight bytes at a time
/// (`ASCIIWords`): each special byte, at every position in and across those words, must be found
/// exactly as a byte-by-byte reading finds it.
@Suite struct WordAtATimeTextTests {
    /// Byte sequences that need attention: a quote, a backslash, control characters, DEL, valid
    /// multi-byte characters (U+00E9, U+2028, U+1F600) and bytes that are never valid UTF-8.
    static let specials: [[UInt8]] = [
        [0x22], [0x5C], [0x00], [0x1F], [0x0A], [0x7F], [0xC3, 0xA9], [0xE2, 0x80, 0xA8], [0xF0, 0x9F, 0x98, 0x80],
        [0xFF], [0xC3], [0x80], [0xED, 0xA0, 0x80],
    ]

    /// Plain ASCII of `length` bytes with `special` at `position`.
    static func text(length: Int, special: [UInt8], at position: Int) -> [UInt8] {
        var bytes = (0..<length).map { UInt8(ascii: "a") + UInt8($0 % 26) }
        bytes.insert(contentsOf: special, at: position)
        return bytes
    }

    static var cases: [[UInt8]] {
        var all: [[UInt8]] = (0..<20).map { length in (0..<length).map { UInt8(ascii: "A") + UInt8($0 % 26) } }
        for special in specials {
            for length in [0, 1, 7, 8, 9, 15, 16, 17, 24] {
                for position in 0...length {
                    all.append(text(length: length, special: special, at: position))
                }
            }
        }
        return all
    }

    /// Every byte value, in every position of a word: the word test stops exactly at words
    /// holding a byte that is not printable ASCII, or is a quote or a backslash.
    @Test func plainWordsEndAtTheWordOfEveryOtherByte() {
        for byte in 0...255 {
            let plain = (0x20...0x7E).contains(byte) && byte != 0x22 && byte != 0x5C
            for position in 0..<16 {
                var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 24)
                bytes[position] = UInt8(byte)
                let end = bytes.withUnsafeBufferPointer { ASCIIWords.plainPrefixEnd($0, from: 0) }
                #expect(end == (plain ? 24 : position / 8 * 8), "byte \(byte) at \(position)")
            }
        }
    }

    @Test func utf8ValidationAgreesWithTheStandardLibrary() {
        for bytes in Self.cases {
            let expected = String(validating: bytes, as: UTF8.self) != nil
            #expect(bytes.withUnsafeBufferPointer(isValidUTF8) == expected, "\(bytes)")
        }
    }

    @Test func scannedStringsMatchAByteByByteReading() throws {
        for content in Self.cases where !content.contains(0x5C) {
            let quoted = [UInt8(ascii: "\"")] + content + [UInt8(ascii: "\"")]
            let scanned: String? = quoted.withUnsafeBufferPointer { buffer in
                var scanner = JSONScanner(buffer)
                return try? scanner.parseString()
            }
            #expect(scanned == Self.referenceScan(content), "\(content)")
        }
    }

    @Test func anEscapeIsFoundAtEveryPosition() throws {
        for length in [0, 1, 7, 8, 9, 15, 16, 17] {
            for position in 0...length {
                let content = Self.text(length: length, special: Array(#"\n"#.utf8), at: position)
                let quoted = [UInt8(ascii: "\"")] + content + [UInt8(ascii: "\"")]
                let scanned = try quoted.withUnsafeBufferPointer { buffer in
                    var scanner = JSONScanner(buffer)
                    return try scanner.parseString()
                }
                var expected = Self.text(length: length, special: [], at: 0)
                expected.insert(0x0A, at: position)
                #expect(scanned == String(decoding: expected, as: UTF8.self), "length \(length) position \(position)")
            }
        }
    }

    @Test func escapedTextReadsBackAsTheSameString() throws {
        for bytes in Self.cases {
            guard let text = String(validating: bytes, as: UTF8.self) else { continue }
            let quoted = JSONString.quoted(text)
            let escapesWhatItMust = !quoted.utf8.dropFirst().dropLast().contains { $0 < 0x20 || $0 == 0x7F }
            #expect(escapesWhatItMust, "\(bytes)")
            #expect(!quoted.contains("\u{2028}"), "\(bytes)")
            let parsed = try JSONParser.parse(Array(quoted.utf8))
            #expect(parsed == .string(text), "\(bytes)")
        }
    }

    /// A JSON string body without escapes: valid when it holds no quote, backslash or control
    /// character and is valid UTF-8 (a quote ends it early, so the scanner then sees more input).
    static func referenceScan(_ content: [UInt8]) -> String? {
        if let stop = content.firstIndex(where: { $0 == 0x22 || $0 == 0x5C || $0 < 0x20 }) {
            // A quote closes the string early; what precedes it is the string if valid.
            guard content[stop] == 0x22 else { return nil }
            return String(validating: content[..<stop], as: UTF8.self)
        }
        return String(validating: content, as: UTF8.self)
    }
}
