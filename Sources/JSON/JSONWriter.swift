import Encoding

/// Compact JSON serialisation straight into a byte buffer.
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []

    public init(reservingCapacity capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    public static func serialize(_ value: JSONValue) -> [UInt8] {
        var writer = JSONWriter()
        writer.write(value)
        return writer.bytes
    }

    public mutating func write(_ value: JSONValue) {
        switch value {
        case .null: appendASCII("null")
        case let .bool(flag): appendASCII(flag ? "true" : "false")
        case let .number(text): appendASCII(text)
        case let .string(text): writeString(text)
        case let .array(elements):
            bytes.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                write(element)
            }
            bytes.append(UInt8(ascii: "]"))
        case let .object(members):
            bytes.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                writeString(member.key)
                bytes.append(UInt8(ascii: ":"))
                write(member.value)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    /// Makes room for `count` more bytes at once (a caller that knows a bound avoids the copies of growing).
    public mutating func reserveAdditional(_ count: Int) {
        bytes.reserveCapacity(bytes.count + count)
    }

    /// Appends bytes that are already a serialised JSON value.
    public mutating func writeRaw(_ json: [UInt8]) {
        bytes.append(contentsOf: json)
    }

    public mutating func writeRaw(_ json: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: json)
    }

    public mutating func appendASCII(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    /// Drops everything written after the first `count` bytes (to take back a partial write).
    public mutating func truncate(to count: Int) {
        bytes.removeLast(bytes.count - count)
    }

    /// Escaped by the project's one JSON string escaper (`Encoding.JSONString`).
    public mutating func writeString(_ text: String) {
        JSONString.appendQuoted(text, to: &bytes)
    }

    /// Writes UTF-8 `text` (already validated) as a JSON string.
    public mutating func writeString(bytes text: some Collection<UInt8>) {
        JSONString.appendQuoted(utf8: text, to: &bytes)
    }

    /// Writes UTF-8 `text` (already validated) as a JSON string; the form for text in place (a
    /// consumed record's key or value), without the generic collection's per-call overhead.
    public mutating func writeString(bytes text: UnsafeBufferPointer<UInt8>) {
        JSONString.appendQuoted(utf8: text, to: &bytes)
    }

    /// ASCII text known at compile time, appended without going through `String`.
    public mutating func appendLiteral(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    // The common integer types have concrete overloads: the generic form, called from another
    // module, goes through witness tables for every arithmetic step (hundreds of instructions per
    // integer in a consume answer's hot loop).
    public mutating func writeInteger(_ value: Int) {
        writeInteger(Int64(value))
    }

    public mutating func writeInteger(_ value: Int32) {
        writeInteger(Int64(value))
    }

    public mutating func writeInteger(_ value: Int64) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
        }
        writeDigits(value.magnitude)
    }

    /// Appends the decimal digits of `value`, without a `String` in between.
    public mutating func writeInteger<T: BinaryInteger>(_ value: T) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
        }
        writeDigits(UInt64(value.magnitude))
    }

    private mutating func writeDigits(_ value: UInt64) {
        var magnitude = value
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { buffer in
            var start = buffer.count
            repeat {
                start -= 1
                buffer[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[start...]))
        }
    }
}
