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
            // The member name and its closing quote: "key" or "value".
            let isValue: Bool
            switch memberName(bytes, at: at + 1) {
            case .value where value == nil:
                isValue = true
                at += 7
            case .key where key == nil:
                isValue = false
                at += 5
            default:
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

    private enum MemberName { case key, value, other }

    /// Which member name (with its closing quote) starts at `start`: one unaligned load and a
    /// masked comparison per name, where comparing byte by byte cost a fifth of a record's reading.
    @inline(__always)
    private static func memberName(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> MemberName {
        guard let base = bytes.baseAddress, start >= 0, bytes.count - start >= 8 else {
            // Too near the end for a whole word: this record is the event's last few bytes, if a record at all.
            if JSONScanner.bytes(bytes, at: start, startWith: "value\"") { return .value }
            return JSONScanner.bytes(bytes, at: start, startWith: "key\"") ? .key : .other
        }
        let word = UInt64(littleEndian: UnsafeRawPointer(base + start).loadUnaligned(as: UInt64.self))
        if word & 0xFFFF_FFFF_FFFF == valueWord { return .value }
        return word & 0xFFFF_FFFF == keyWord ? .key : .other
    }

    /// `value"` and `key"` as little-endian integers.
    private static let valueWord: UInt64 = 0x2265_756C_6176
    private static let keyWord: UInt64 = 0x2279_656B

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
