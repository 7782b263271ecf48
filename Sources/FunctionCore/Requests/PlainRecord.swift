import Encoding
import JSON

/// The shape nearly every produce event's records have, read without the general reader:
/// `{"value":"..."}` or `{"key":"...","value":"..."}` (either order, whitespace allowed), each
/// string printable ASCII without escapes. Such a record is a span of the event for its key and
/// one for its value, exactly what `RecordReader` makes of it, found in one tight pass over its
/// bytes with no member names made into `String`s.
///
/// Anything else (another member, a duplicate, null, an escape, a byte outside printable ASCII,
/// bad syntax) is not an error here: `read` leaves the scanner where it was and returns nil, and
/// the general reader reads the record again, with all of its checks and messages.
enum PlainRecord {
    /// The record's entry, with the scanner past its closing brace; nil (scanner unmoved) when the
    /// record is not of the plain shape.
    static func read(_ scanner: inout JSONScanner) -> SuppliedRecords.Entry? {
        let bytes = scanner.bytes
        let count = bytes.count
        var at = scanner.position
        guard at < count, bytes[at] == UInt8(ascii: "{") else { return nil }
        at += 1
        var key: SuppliedRecords.Span?
        var value: SuppliedRecords.Span?
        while true {
            at = skipWhitespace(bytes, at)
            guard at < count, bytes[at] == UInt8(ascii: "\"") else { return nil }
            // The member name, its closing quote and the colon: "key": or "value":
            let isValue: Bool
            if JSONScanner.bytes(bytes, at: at + 1, startWith: "value\""), value == nil {
                isValue = true
                at += 7
            } else if JSONScanner.bytes(bytes, at: at + 1, startWith: "key\""), key == nil {
                isValue = false
                at += 5
            } else {
                return nil
            }
            at = skipWhitespace(bytes, at)
            guard at < count, bytes[at] == UInt8(ascii: ":") else { return nil }
            at = skipWhitespace(bytes, at + 1)
            guard at < count, bytes[at] == UInt8(ascii: "\"") else { return nil }
            let start = at + 1
            guard let end = plainStringEnd(bytes, from: start) else { return nil }
            let span = SuppliedRecords.Span(start: Int32(start), count: Int32(end - start), inArena: false)
            if isValue { value = span } else { key = span }
            at = skipWhitespace(bytes, end + 1)
            guard at < count else { return nil }
            if bytes[at] == UInt8(ascii: ",") {
                at += 1
                continue
            }
            guard bytes[at] == UInt8(ascii: "}"), let value else { return nil }
            scanner.position = at + 1
            return SuppliedRecords.Entry(
                key: key, value: value, partition: -1, firstHeader: 0, headerCount: 0, hasTraceHeader: false)
        }
    }

    /// The index of the closing quote of a string of printable ASCII (0x20-0x7E, no backslash)
    /// starting at `start`; nil at anything else.
    @inline(__always)
    private static func plainStringEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var at = ASCIIWords.plainPrefixEnd(bytes, from: start)
        while at < bytes.count {
            let byte = bytes[at]
            if byte == UInt8(ascii: "\"") { return at }
            guard byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\\") else { return nil }
            at += 1
        }
        return nil
    }

    @inline(__always)
    private static func skipWhitespace(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int) -> Int {
        var at = start
        while at < bytes.count {
            let byte = bytes[at]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { break }
            at += 1
        }
        return at
    }
}
