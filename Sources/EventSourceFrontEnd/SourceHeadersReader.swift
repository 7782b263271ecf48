import Encoding
import FunctionCore
import JSON

/// A record's `headers`, `[{"name": [byte, ...]}, ...]` (Java bytes: -128...255), read from the
/// event's bytes into the stored form `[{"key": "name", "value": "text"}, ...]`; a value that is not
/// UTF-8 text (or holds NUL) is stored as `{"key": ..., "value_base64": ...}`. The first problem is
/// kept, named as `ObjectReader` would name it, for the record to report when headers' turn comes.
struct SourceHeadersReader {
    private static let empty: [UInt8] = Array("[]".utf8)

    /// The stored JSON (`[]` when the record has no headers).
    private(set) var stored = Self.empty
    private(set) var problem: String?

    /// Reads the (non-null) value the scanner stands on; `path` names it (built only for a problem).
    mutating func read(_ scanner: inout JSONScanner, depth: Int, path: () -> String) throws(JSONParser.Error) {
        guard scanner.current == UInt8(ascii: "[") else {
            problem = "Field '\(path())' must be an array, got \(scanner.typeNameOfCurrentValue)"
            try scanner.skipValue(depth: depth)
            return
        }
        var output = JSONWriter(reservingCapacity: 64)
        output.appendLiteral("[")
        try scanner.readArray(depth: depth + 1) { scanner, index throws(JSONParser.Error) in
            guard problem == nil else {
                try scanner.skipValue(depth: depth + 1)
                return
            }
            problem = try Self.readEntry(&scanner, depth: depth + 1, into: &output, first: index == 0) { "\(path())[\(index)]" }
        }
        output.appendLiteral("]")
        stored = output.bytes
    }

    /// One `{"name": [byte, ...]}`, appended to `output`; returns its problem.
    private static func readEntry(
        _ scanner: inout JSONScanner, depth: Int, into output: inout JSONWriter, first: Bool, path: () -> String
    ) throws(JSONParser.Error) -> String? {
        guard scanner.current == UInt8(ascii: "{") else {
            try scanner.skipValue(depth: depth)
            return "Field '\(path())' must be an object with one header name"
        }
        var count = 0
        var name = ""
        var bytes: [UInt8] = []
        var valueProblem: String?
        try scanner.readObject(depth: depth + 1) { scanner, key throws(JSONParser.Error) in
            count += 1
            guard count == 1 else {
                try scanner.skipValue(depth: depth + 1)
                return
            }
            name = key
            valueProblem = try readBytes(&scanner, depth: depth + 1, into: &bytes) { "\(path()).\(key.truncatedForMessage)" }
        }
        guard count == 1 else { return "Field '\(path())' must be an object with one header name" }
        if let valueProblem { return valueProblem }
        // The most the entry can take: every byte a six-byte `\u00XX` escape, or base64 of it.
        output.reserveAdditional(6 * (name.utf8.count + bytes.count) + 32)
        output.appendLiteral(first ? "{\"key\":" : ",{\"key\":")
        if name.utf8.contains(0) {
            output.writeString(String(name.unicodeScalars.map { $0 == "\0" ? "\u{FFFD}" : Character($0) }))
        } else {
            output.writeString(name)
        }
        if !bytes.contains(0), bytes.withUnsafeBufferPointer(isValidUTF8) {
            output.appendLiteral(",\"value\":")
            output.writeString(bytes: bytes)
        } else {
            output.appendLiteral(",\"value_base64\":")
            output.writeString(Base64.encode(bytes))
        }
        output.appendLiteral("}")
        return nil
    }

    /// The header value's byte array, appended to `bytes`; returns its problem.
    private static func readBytes(
        _ scanner: inout JSONScanner, depth: Int, into bytes: inout [UInt8], path: () -> String
    ) throws(JSONParser.Error) -> String? {
        guard scanner.current == UInt8(ascii: "[") else {
            let type = scanner.typeNameOfCurrentValue
            try scanner.skipValue(depth: depth)
            return "Field '\(path())' must be an array of byte values, got \(type)"
        }
        var problem: String?
        try scanner.readArray(depth: depth + 1) { scanner, index throws(JSONParser.Error) in
            guard problem == nil else {
                try scanner.skipValue(depth: depth + 1)
                return
            }
            // The rule is spelt out only for a problem: this runs for every header byte.
            func rule() -> String { "Field '\(path())[\(index)]' must be an integer from -128 to 255" }
            switch scanner.current ?? 0 {
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                let text = UnsafeBufferPointer(rebasing: scanner.bytes[try scanner.scanNumber()])
                guard let number = SourceNumber.integer(text), (-128...255).contains(number) else {
                    problem = "\(rule()), got \(String(decoding: text, as: UTF8.self).prefix(40))"
                    return
                }
                // Java bytes are signed: -128...-1 are 128...255.
                bytes.append(UInt8(truncatingIfNeeded: number))
            default:
                problem = "\(rule()), got \(scanner.typeNameOfCurrentValue)"
                try scanner.skipValue(depth: depth + 1)
            }
        }
        return problem
    }
}
