/// The one JSON string escaper: quotes, backslashes, every control character (including 0x7F)
/// and U+2028/U+2029, which are valid JSON but end a line in JavaScript and in some log viewers.
public enum JSONString {
    /// `text` as a JSON string literal, quotes included.
    public static func quoted(_ text: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count + 2)
        appendQuoted(text, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `text` as a JSON string literal, quotes included.
    public static func appendQuoted(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        appendEscaped(text, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends already validated UTF-8 `text` as a JSON string literal, quotes included.
    public static func appendQuoted(utf8 text: some Collection<UInt8>, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        let copiedWhole = text.withContiguousStorageIfAvailable { utf8 -> Bool in
            guard !needsEscaping(utf8) else { return false }
            bytes.append(contentsOf: utf8)
            return true
        }
        if copiedWhole != true {
            appendEscapedScalars(String(decoding: text, as: UTF8.self), to: &bytes)
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends already validated UTF-8 `text` as a JSON string literal, quotes included (text in
    /// place, without the generic collection's calls per string).
    public static func appendQuoted(utf8 text: UnsafeBufferPointer<UInt8>, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        if needsEscaping(text) {
            appendEscapedScalars(String(decoding: text, as: UTF8.self), to: &bytes)
        } else {
            bytes.append(contentsOf: text)
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends the escaped contents of `text`, without quotes.
    public static func appendEscaped(_ text: String, to bytes: inout [UInt8]) {
        // Most strings need no escaping: copy them whole rather than byte by byte.
        let copiedWhole = text.utf8.withContiguousStorageIfAvailable { utf8 -> Bool in
            guard !needsEscaping(utf8) else { return false }
            bytes.append(contentsOf: utf8)
            return true
        }
        if copiedWhole != true {
            appendEscapedScalars(text, to: &bytes)
        }
    }

    /// Whether any byte must be escaped; U+2028 and U+2029 are E2 80 A8 and E2 80 A9 in UTF-8,
    /// so other characters led by E2 (curly quotes, the euro sign) keep the fast path.
    private static func needsEscaping(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = ASCIIWords.plainPrefixEnd(utf8, from: 0)
        while index < utf8.count {
            let byte = utf8[index]
            if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == 0x7F { return true }
            if byte == 0xE2, index + 2 < utf8.count, utf8[index + 1] == 0x80, utf8[index + 2] & 0xFE == 0xA8 { return true }
            index += 1
        }
        return false
    }

    private static func appendEscapedScalars(_ text: String, to bytes: inout [UInt8]) {
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": append("\\\"", to: &bytes)
            case "\\": append("\\\\", to: &bytes)
            case "\n": append("\\n", to: &bytes)
            case "\r": append("\\r", to: &bytes)
            case "\t": append("\\t", to: &bytes)
            case "\u{08}": append("\\b", to: &bytes)
            case "\u{0C}": append("\\f", to: &bytes)
            case "\u{2028}": append("\\u2028", to: &bytes)
            case "\u{2029}": append("\\u2029", to: &bytes)
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    append("\\u00", to: &bytes)
                    bytes.append(Hex.digit(UInt8(scalar.value >> 4)))
                    bytes.append(Hex.digit(UInt8(scalar.value & 0xF)))
                } else {
                    UTF8.encode(scalar) { bytes.append($0) }
                }
            }
        }
    }

    private static func append(_ ascii: StaticString, to bytes: inout [UInt8]) {
        ascii.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }
}
