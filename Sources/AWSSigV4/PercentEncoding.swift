import Encoding

/// RFC 3986 percent-encoding as SigV4 specifies it: every byte of the UTF-8 form except the
/// unreserved characters `A-Z a-z 0-9 - _ . ~` becomes `%XY` with upper-case hex.
public enum AWSPercentEncoding {
    /// Encodes a query parameter name or value (`/` is encoded too).
    public static func encodeQueryComponent(_ text: String) -> String {
        encode(text, keepingSlash: false)
    }

    /// Encodes a decoded URL path for the wire, keeping `/` as the segment separator.
    public static func encodePath(_ text: String) -> String {
        encode(text, keepingSlash: true)
    }

    /// Decodes `%XY` escapes; a malformed escape is kept as written. `+` stays `+`.
    public static func decode(_ text: Substring) -> String {
        guard text.utf8.contains(UInt8(ascii: "%")) else { return String(text) }
        return String(decoding: PercentDecoding.decode(text, malformed: .keep) ?? Array(text.utf8), as: UTF8.self)
    }

    static func encode(_ text: String, keepingSlash: Bool) -> String {
        let utf8 = text.utf8
        if utf8.allSatisfy({ isUnreserved($0) || (keepingSlash && $0 == UInt8(ascii: "/")) }) {
            return text
        }
        var output: [UInt8] = []
        output.reserveCapacity(utf8.count * 3)
        for byte in utf8 {
            if isUnreserved(byte) || (keepingSlash && byte == UInt8(ascii: "/")) {
                output.append(byte)
            } else {
                output.append(UInt8(ascii: "%"))
                Hex.append(byte, uppercase: true, to: &output)
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }
}
