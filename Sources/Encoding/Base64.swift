/// Base64 (RFC 4648) in its two alphabets: standard (section 4) and URL-safe (section 5).
public enum Base64 {
    public enum Alphabet: Sendable {
        /// `+` and `/`: record keys and values in events.
        case standard
        /// `-` and `_`: URLs and tokens.
        case url

        fileprivate var symbols: [UInt8] {
            switch self {
            case .standard: Base64.standardSymbols
            case .url: Base64.urlSymbols
            }
        }

        fileprivate var decodingTable: [UInt8] {
            switch self {
            case .standard: Base64.standardTable
            case .url: Base64.urlTable
            }
        }
    }

    public enum Padding: Sendable {
        /// Whole groups of four, `=` filling the last one.
        case required
        /// Accepted when present at the end, not needed.
        case optional
    }

    private static let standardSymbols = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let urlSymbols = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    private static let standardTable = decodingTable(for: standardSymbols)
    private static let urlTable = decodingTable(for: urlSymbols)
    private static let invalid: UInt8 = 0xFF
    private static let pad = UInt8(ascii: "=")

    private static func decodingTable(for symbols: [UInt8]) -> [UInt8] {
        var table = [UInt8](repeating: invalid, count: 256)
        for (index, symbol) in symbols.enumerated() {
            table[Int(symbol)] = UInt8(index)
        }
        return table
    }

    /// Standard alphabet with padding unless told otherwise.
    public static func encode(_ bytes: [UInt8], alphabet: Alphabet = .standard, padded: Bool = true) -> String {
        let symbols = alphabet.symbols
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= bytes.count {
            let group = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            output.append(symbols[Int(group >> 18 & 0x3F)])
            output.append(symbols[Int(group >> 12 & 0x3F)])
            output.append(symbols[Int(group >> 6 & 0x3F)])
            output.append(symbols[Int(group & 0x3F)])
            index += 3
        }
        let remaining = bytes.count - index
        if remaining > 0 {
            let second = remaining == 2 ? UInt32(bytes[index + 1]) : 0
            let group = UInt32(bytes[index]) << 16 | second << 8
            output.append(symbols[Int(group >> 18 & 0x3F)])
            output.append(symbols[Int(group >> 12 & 0x3F)])
            if remaining == 2 { output.append(symbols[Int(group >> 6 & 0x3F)]) }
            if padded { output.append(contentsOf: repeatElement(pad, count: 3 - remaining)) }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// `nil` on a symbol outside the alphabet, `=` anywhere but the end, or a length no encoding has.
    public static func decode(_ text: String, alphabet: Alphabet = .standard, padding: Padding = .required) -> [UInt8]? {
        Array(text.utf8).withUnsafeBufferPointer { decode(symbols: $0, alphabet: alphabet, padding: padding) }
    }

    /// The same for symbols that are still in their buffer (an event's bytes), with no copy first.
    public static func decode(
        symbols all: UnsafeBufferPointer<UInt8>, alphabet: Alphabet = .standard, padding: Padding = .required
    ) -> [UInt8]? {
        var count = all.count
        var padCount = 0
        while padCount < 2, count > 0, all[count - 1] == pad {
            count -= 1
            padCount += 1
        }
        switch padding {
        case .required:
            guard (count + padCount) % 4 == 0 else { return nil }
        case .optional:
            guard padCount == 0 || (count + padCount) % 4 == 0 else { return nil }
        }
        guard count % 4 != 1 else { return nil }
        let table = alphabet.decodingTable
        let whole = count / 4 * 4
        let outputCount = whole / 4 * 3 + (count % 4 == 0 ? 0 : count % 4 - 1)
        var valid = true
        // Whole groups of four symbols, written straight into the result (events carry megabytes of base64).
        var output = [UInt8](unsafeUninitializedCapacity: outputCount) { buffer, initialized in
            table.withUnsafeBufferPointer { table in
                var index = 0
                var written = 0
                while index < whole {
                    let a = table[Int(all[index])], b = table[Int(all[index + 1])]
                    let c = table[Int(all[index + 2])], d = table[Int(all[index + 3])]
                    // Valid values are below 64; `invalid` has the top bits set.
                    guard (a | b | c | d) & 0xC0 == 0 else {
                        valid = false
                        break
                    }
                    let group = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                    buffer[written] = UInt8(truncatingIfNeeded: group >> 16)
                    buffer[written + 1] = UInt8(truncatingIfNeeded: group >> 8)
                    buffer[written + 2] = UInt8(truncatingIfNeeded: group)
                    written += 3
                    index += 4
                }
                initialized = written
            }
        }
        guard valid else { return nil }
        var group: UInt32 = 0
        for index in whole..<count {
            let value = table[Int(all[index])]
            guard value != invalid else { return nil }
            group = group << 6 | UInt32(value)
        }
        switch count % 4 {
        case 2:
            output.append(UInt8(group >> 4 & 0xFF))
        case 3:
            output.append(UInt8(group >> 10 & 0xFF))
            output.append(UInt8(group >> 2 & 0xFF))
        default:
            break
        }
        return output
    }
}

/// URL-safe base64 as MSK tokens use it: encoded without padding, decoded with or without.
public enum Base64URL {
    public static func encodeWithoutPadding(_ bytes: [UInt8]) -> String {
        Base64.encode(bytes, alphabet: .url, padded: false)
    }

    public static func decode(_ text: String) -> [UInt8]? {
        Base64.decode(text, alphabet: .url, padding: .optional)
    }
}
