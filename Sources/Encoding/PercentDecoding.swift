/// `%XY` escapes (RFC 3986) decoded: the one percent-decoder of the project. `+` stays `+`.
public enum PercentDecoding {
    /// What to do with a `%` not followed by two hex digits.
    public enum Malformed: Sendable {
        /// Keep it as written (SigV4's canonical query).
        case keep
        /// Refuse the text (request paths).
        case reject
    }

    /// The decoded bytes, or nil for a malformed escape under `.reject`.
    public static func decode(_ text: some StringProtocol, malformed: Malformed) -> [UInt8]? {
        let bytes = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "%") else {
                output.append(bytes[index])
                index += 1
                continue
            }
            if index + 2 < bytes.count, let high = Hex.value(of: bytes[index + 1]), let low = Hex.value(of: bytes[index + 2]) {
                output.append(high << 4 | low)
                index += 3
            } else if malformed == .keep {
                output.append(bytes[index])
                index += 1
            } else {
                return nil
            }
        }
        return output
    }
}
