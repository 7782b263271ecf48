import Encoding

/// A cursor over JSON text that can build a value (`parseValue`), step over one while validating it
/// (`skipValue`), or copy it compactly (`appendCompact`), so a caller chooses per value whether it
/// needs a tree at all. Every path applies the same rules as `JSONParser`.
package struct JSONScanner {
    package typealias Error = JSONParser.Error

    package let bytes: UnsafeBufferPointer<UInt8>
    package var position: Int
    /// How many more values `parseValue` may create.
    package var valueBudget: Int

    package init(_ bytes: UnsafeBufferPointer<UInt8>, position: Int = 0, valueBudget: Int = JSONParser.maximumValues) {
        self.bytes = bytes
        self.position = position
        self.valueBudget = valueBudget
    }

    package func fail(_ reason: String) -> Error {
        Error(reason: reason, offset: position)
    }

    package var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    package mutating func skipWhitespace() {
        while position < bytes.count {
            let byte = bytes[position]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            position += 1
        }
    }

    package mutating func expectEnd() throws(Error) {
        skipWhitespace()
        guard position == bytes.count else { throw fail("unexpected content after the JSON value") }
    }

    /// The JSON type name of the value starting here (for error messages), without reading it.
    package var typeNameOfCurrentValue: String {
        switch current {
        case UInt8(ascii: "{"): return "object"
        case UInt8(ascii: "["): return "array"
        case UInt8(ascii: "\""): return "string"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return "boolean"
        case UInt8(ascii: "n"): return "null"
        default: return "number"
        }
    }

    // MARK: Containers, shared by every mode

    /// Reads `{` member `}`, calling `member` with each key once the scanner stands on its value;
    /// `member` must consume exactly that value.
    package mutating func readObject(depth: Int, _ member: (inout JSONScanner, String) throws(Error) -> Void) throws(Error) {
        try readObjectNames(depth: depth) { scanner, name throws(Error) in
            try member(&scanner, String(decoding: name, as: UTF8.self))
        }
    }

    /// `readObject` for a caller that matches member names as bytes: `member` gets each name's text
    /// (escapes decoded, valid UTF-8), valid only during the call, and no `String` is made.
    package mutating func readObjectNames(
        depth: Int, _ member: (inout JSONScanner, UnsafeBufferPointer<UInt8>) throws(Error) -> Void
    ) throws(Error) {
        if try enterContainer(depth: depth, closing: UInt8(ascii: "}")) { return }
        var decoded: [UInt8] = []
        repeat {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw fail("expected a member name in double quotes") }
            decoded.removeAll(keepingCapacity: true)
            let name = try scanString(into: &decoded)
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw fail("expected ':' after a member name") }
            position += 1
            skipWhitespace()
            if name.escaped {
                try decoded.withUnsafeBufferPointer { text throws(Error) in try member(&self, text) }
            } else {
                try member(&self, UnsafeBufferPointer(rebasing: bytes[name.content]))
            }
        } while try !leaveOrContinue(closing: UInt8(ascii: "}"), otherwise: "expected ',' or '}' in an object")
    }

    /// True when the name text `readObjectNames` handed over is `literal`, compared as bytes.
    package static func name(_ text: UnsafeBufferPointer<UInt8>, is literal: StaticString) -> Bool {
        text.count == literal.utf8CodeUnitCount && bytes(text, at: 0, startWith: literal)
    }

    /// True when `bytes` from `start` on begin with `literal`, compared byte by byte without a `String`.
    @inlinable @inline(__always)
    package static func bytes(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int, startWith literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard start >= 0, bytes.count - start >= count else { return false }
        let text = literal.utf8Start
        for offset in 0..<count where bytes[start + offset] != text[offset] { return false }
        return true
    }

    /// Reads `[` elements `]`, calling `element` with each index once the scanner stands on it.
    package mutating func readArray(depth: Int, _ element: (inout JSONScanner, Int) throws(Error) -> Void) throws(Error) {
        if try enterContainer(depth: depth, closing: UInt8(ascii: "]")) { return }
        var index = 0
        repeat {
            skipWhitespace()
            try element(&self, index)
            index += 1
        } while try !leaveOrContinue(closing: UInt8(ascii: "]"), otherwise: "expected ',' or ']' in an array")
    }

    /// Steps past the opening bracket of a container at nesting `depth`. True when `closing`
    /// follows at once: the container was empty and is read.
    private mutating func enterContainer(depth: Int, closing: UInt8) throws(Error) -> Bool {
        guard depth <= JSONParser.maximumDepth else { throw fail("nesting deeper than \(JSONParser.maximumDepth) levels") }
        position += 1
        skipWhitespace()
        guard current == closing else { return false }
        position += 1
        return true
    }

    /// After a member or element: true past the `closing` bracket, false past a comma.
    private mutating func leaveOrContinue(closing: UInt8, otherwise problem: String) throws(Error) -> Bool {
        skipWhitespace()
        switch current {
        case UInt8(ascii: ","):
            position += 1
            return false
        case closing:
            position += 1
            return true
        default:
            throw fail(problem)
        }
    }

    // MARK: Tree

    package mutating func parseValue(depth: Int) throws(Error) -> JSONValue {
        guard valueBudget > 0 else { throw fail("more than \(JSONParser.maximumValues) values") }
        valueBudget -= 1
        guard let byte = current else { throw fail("unexpected end of input") }
        switch byte {
        case UInt8(ascii: "{"):
            var members: [(key: String, value: JSONValue)] = []
            try readObject(depth: depth + 1) { scanner, key throws(Error) in
                members.append((key, try scanner.parseValue(depth: depth + 1)))
            }
            return .object(members)
        case UInt8(ascii: "["):
            var elements: [JSONValue] = []
            try readArray(depth: depth + 1) { scanner, _ throws(Error) in
                elements.append(try scanner.parseValue(depth: depth + 1))
            }
            return .array(elements)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let range = try scanNumber()
            return .number(String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self))
        default:
            return try scanLiteral()
        }
    }

    // MARK: Validation without a tree

    package mutating func skipValue(depth: Int) throws(Error) {
        guard let byte = current else { throw fail("unexpected end of input") }
        switch byte {
        case UInt8(ascii: "{"):
            try readObjectNames(depth: depth + 1) { scanner, _ throws(Error) in try scanner.skipValue(depth: depth + 1) }
        case UInt8(ascii: "["):
            try readArray(depth: depth + 1) { scanner, _ throws(Error) in try scanner.skipValue(depth: depth + 1) }
        case UInt8(ascii: "\""):
            var unused: [UInt8] = []
            _ = try scanString(into: &unused)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): _ = try scanNumber()
        default: _ = try scanLiteral()
        }
    }

    // MARK: Compact copy

    /// Appends the value as `JSONWriter` would serialise its parsed form, byte for byte.
    package mutating func appendCompact(into output: inout [UInt8], depth: Int) throws(Error) {
        guard let byte = current else { throw fail("unexpected end of input") }
        switch byte {
        case UInt8(ascii: "{"):
            output.append(UInt8(ascii: "{"))
            var first = true
            try readObject(depth: depth + 1) { scanner, key throws(Error) in
                if !first { output.append(UInt8(ascii: ",")) }
                first = false
                var writer = JSONWriter(reservingCapacity: 0)
                writer.writeString(key)
                output.append(contentsOf: writer.bytes)
                output.append(UInt8(ascii: ":"))
                try scanner.appendCompact(into: &output, depth: depth + 1)
            }
            output.append(UInt8(ascii: "}"))
        case UInt8(ascii: "["):
            output.append(UInt8(ascii: "["))
            try readArray(depth: depth + 1) { scanner, index throws(Error) in
                if index > 0 { output.append(UInt8(ascii: ",")) }
                try scanner.appendCompact(into: &output, depth: depth + 1)
            }
            output.append(UInt8(ascii: "]"))
        case UInt8(ascii: "\""):
            try appendCompactString(into: &output)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[try scanNumber()]))
        default:
            let start = position
            _ = try scanLiteral()
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<position]))
        }
    }

    /// A string without escapes is already in `JSONWriter`'s form (no quote, backslash or control
    /// character can appear unescaped); one with escapes is decoded and written again.
    private mutating func appendCompactString(into output: inout [UInt8]) throws(Error) {
        let start = position
        var decoded: [UInt8] = []
        let span = try scanString(into: &decoded)
        if span.escaped {
            var writer = JSONWriter(reservingCapacity: decoded.count + 2)
            writer.writeString(bytes: decoded)
            output.append(contentsOf: writer.bytes)
        } else {
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<position]))
        }
    }

    // MARK: Scalars

    package mutating func scanLiteral() throws(Error) -> JSONValue {
        func matches(_ literal: StaticString) -> Bool { Self.bytes(bytes, at: position, startWith: literal) }
        switch current {
        case UInt8(ascii: "t") where matches("true"): position += 4; return .bool(true)
        case UInt8(ascii: "f") where matches("false"): position += 5; return .bool(false)
        case UInt8(ascii: "n") where matches("null"): position += 4; return .null
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            // Point at the first byte that differs, as a byte-by-byte reader would.
            let literal = current == UInt8(ascii: "t") ? "true" : current == UInt8(ascii: "f") ? "false" : "null"
            for expected in literal.utf8 {
                guard current == expected else { throw fail("invalid literal") }
                position += 1
            }
            throw fail("invalid literal")
        case let byte?: throw fail("unexpected character '\(printable(byte))'")
        case nil: throw fail("unexpected end of input")
        }
    }

    /// The number's byte range, validated.
    package mutating func scanNumber() throws(Error) -> Range<Int> {
        let start = position
        if current == UInt8(ascii: "-") { position += 1 }
        guard let first = current, isDigit(first) else { throw fail("invalid number") }
        position += 1
        if first != UInt8(ascii: "0") {
            while let byte = current, isDigit(byte) { position += 1 }
        }
        if current == UInt8(ascii: ".") {
            position += 1
            guard let byte = current, isDigit(byte) else { throw fail("invalid number: digits must follow '.'") }
            while let byte = current, isDigit(byte) { position += 1 }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            position += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            guard let byte = current, isDigit(byte) else { throw fail("invalid number: digits must follow the exponent") }
            while let byte = current, isDigit(byte) { position += 1 }
        }
        return start..<position
    }

    package mutating func parseString() throws(Error) -> String {
        var decoded: [UInt8] = []
        let span = try scanString(into: &decoded)
        if span.escaped {
            return String(decoding: decoded, as: UTF8.self)
        }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[span.content]), as: UTF8.self)
    }

    package struct StringSpan {
        /// The bytes between the quotes.
        package var content: Range<Int>
        /// True when the string has escapes: its text is what was appended to `decoded`, not `content`.
        package var escaped: Bool
    }

    /// Reads a string, validating it. Without escapes its text is `content`; with escapes the decoded
    /// text is appended to `decoded` (when given). Either way the text is valid UTF-8.
    package mutating func scanString(into decoded: inout [UInt8]) throws(Error) -> StringSpan {
        position += 1
        let start = position
        // Fast path: no escapes, so the bytes between the quotes are the string. Whole words of
        // printable ASCII first; then byte by byte, noting whether any byte needs UTF-8 validation.
        position = ASCIIWords.plainPrefixEnd(bytes, from: position)
        var highBits: UInt8 = 0
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { break }
            guard byte >= 0x20 else { throw fail("unescaped control character in a string") }
            highBits |= byte
            position += 1
        }
        guard let stop = current else { throw fail("unterminated string") }
        if stop == UInt8(ascii: "\"") {
            let content = start..<position
            guard highBits < 0x80 || isValidUTF8(UnsafeBufferPointer(rebasing: bytes[content])) else {
                throw Error(reason: "string is not valid UTF-8", offset: start)
            }
            position += 1
            return StringSpan(content: content, escaped: false)
        }
        var text = Array(UnsafeBufferPointer(rebasing: bytes[start..<position]))
        try parseEscapedRemainder(into: &text)
        let end = position
        position += 1
        guard text.withUnsafeBufferPointer({ isValidUTF8($0) }) else {
            throw Error(reason: "string is not valid UTF-8", offset: start)
        }
        decoded.append(contentsOf: text)
        return StringSpan(content: start..<end, escaped: true)
    }

    private mutating func parseEscapedRemainder(into decoded: inout [UInt8]) throws(Error) {
        while let byte = current, byte != UInt8(ascii: "\"") {
            guard byte >= 0x20 else { throw fail("unescaped control character in a string") }
            guard byte == UInt8(ascii: "\\") else {
                decoded.append(byte)
                position += 1
                continue
            }
            position += 1
            guard let escape = current else { throw fail("unterminated string") }
            position += 1
            switch escape {
            case UInt8(ascii: "\""): decoded.append(0x22)
            case UInt8(ascii: "\\"): decoded.append(0x5C)
            case UInt8(ascii: "/"): decoded.append(0x2F)
            case UInt8(ascii: "b"): decoded.append(0x08)
            case UInt8(ascii: "f"): decoded.append(0x0C)
            case UInt8(ascii: "n"): decoded.append(0x0A)
            case UInt8(ascii: "r"): decoded.append(0x0D)
            case UInt8(ascii: "t"): decoded.append(0x09)
            case UInt8(ascii: "u"): UTF8.encode(try parseUnicodeEscape()) { decoded.append($0) }
            default: throw fail("invalid escape '\\\(printable(escape))'")
            }
        }
        guard current != nil else { throw fail("unterminated string") }
    }

    private mutating func parseUnicodeEscape() throws(Error) -> Unicode.Scalar {
        let high = try parseHex4()
        if (0xD800...0xDBFF).contains(high) {
            guard bytes.count - position >= 6, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                throw fail("unpaired UTF-16 surrogate in \\u escape")
            }
            position += 2
            let low = try parseHex4()
            guard (0xDC00...0xDFFF).contains(low) else { throw fail("unpaired UTF-16 surrogate in \\u escape") }
            let value = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
            guard let scalar = Unicode.Scalar(value) else { throw fail("invalid \\u escape") }
            return scalar
        }
        guard let scalar = Unicode.Scalar(high) else { throw fail("unpaired UTF-16 surrogate in \\u escape") }
        return scalar
    }

    private mutating func parseHex4() throws(Error) -> UInt32 {
        guard bytes.count - position >= 4 else { throw fail("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let digit = Hex.value(of: bytes[position]) else { throw fail("invalid hex digit in \\u escape") }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }
}

/// Well-formed UTF-8 (Unicode table 3-7): no overlong forms, surrogates or values past U+10FFFF,
/// the same rule as `String(validating:as:)`.
package func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    var index = ASCIIWords.asciiPrefixEnd(bytes, from: 0)
    let count = bytes.count
    while index < count {
        let lead = bytes[index]
        if lead < 0x80 {
            index += 1
            continue
        }
        func continuation(_ offset: Int, _ range: ClosedRange<UInt8> = 0x80...0xBF) -> Bool {
            index + offset < count && range.contains(bytes[index + offset])
        }
        switch lead {
        case 0xC2...0xDF:
            guard continuation(1) else { return false }
            index += 2
        case 0xE0...0xEF:
            let second: ClosedRange<UInt8> = lead == 0xE0 ? 0xA0...0xBF : lead == 0xED ? 0x80...0x9F : 0x80...0xBF
            guard continuation(1, second), continuation(2) else { return false }
            index += 3
        case 0xF0...0xF4:
            let second: ClosedRange<UInt8> = lead == 0xF0 ? 0x90...0xBF : lead == 0xF4 ? 0x80...0x8F : 0x80...0xBF
            guard continuation(1, second), continuation(2), continuation(3) else { return false }
            index += 4
        default:
            return false
        }
    }
    return true
}

private func isDigit(_ byte: UInt8) -> Bool {
    byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
}

private func printable(_ byte: UInt8) -> String {
    (0x21...0x7E).contains(byte) ? String(UnicodeScalar(byte)) : "0x" + String(byte, radix: 16)
}
