/// Minimal JSON writing for the runtime's own small documents (error bodies, log lines),
/// so the hot path needs no encoder.
enum JSONText {
    /// `text` as a JSON string literal, quotes included.
    static func quoted(_ text: String) -> String {
        var result = "\""
        result.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{08}": result += "\\b"
            case "\u{0C}": result += "\\f"
            // U+2028 and U+2029 are valid JSON but break JavaScript consumers of log lines.
            case "\u{2028}": result += "\\u2028"
            case "\u{2029}": result += "\\u2029"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    result += "\\u00" + hexDigits(scalar.value >> 4) + hexDigits(scalar.value & 0xF)
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        result += "\""
        return result
    }

    private static func hexDigits(_ nibble: UInt32) -> String {
        String(nibble, radix: 16)
    }
}
