/// A strict RFC 8259 parser for untrusted input: bounded nesting and value count, UTF-8
/// validated, no trailing content, precise error positions.
public struct JSONParser {
    public struct Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        public var reason: String
        /// Byte offset where the problem was found.
        public var offset: Int
        public var description: String { "\(reason) at byte \(offset)" }
    }

    /// Deeper documents are rejected rather than recursed into (a stack-exhaustion guard).
    public static let maximumDepth = 128
    /// The most values one parse turns into a tree. A tree node costs tens of bytes where its text may
    /// cost two (`[[],[],...]`): the cap keeps a hostile document's tree to a few MiB whatever its size.
    public static let maximumValues = 100_000

    public static func parse(_ bytes: [UInt8], maximumValues: Int = maximumValues) throws(Error) -> JSONValue {
        try bytes.withUnsafeBufferPointer { buffer throws(Error) in
            var scanner = JSONScanner(buffer, valueBudget: maximumValues)
            scanner.skipWhitespace()
            let value = try scanner.parseValue(depth: 0)
            try scanner.expectEnd()
            return value
        }
    }

    /// Whether `bytes` are one valid JSON document, checked without building it.
    public static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var scanner = JSONScanner(bytes, valueBudget: 0)
        scanner.skipWhitespace()
        do {
            try scanner.skipValue(depth: 0)
            try scanner.expectEnd()
            return true
        } catch {
            return false
        }
    }
}
