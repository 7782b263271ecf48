/// Why bytes are not a valid protobuf message of the expected type. `description` says what was
/// wrong and where (byte offsets count from the start of the whole frame).
public struct PubSubWireError: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// Reads protobuf's wire format (https://protobuf.dev/programming-guides/encoding/): a sequence
/// of (field number, wire type, value). Every read is bounds-checked; nothing is copied until a
/// caller asks for a field's bytes.
struct ProtobufReader {
    enum WireType: UInt8 {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, startGroup = 3, endGroup = 4, fixed32 = 5
    }

    /// One field's key and, for the wire types that carry one, its value.
    enum Value {
        case varint(UInt64)
        case bytes(ArraySlice<UInt8>)
        /// fixed32, fixed64 and groups: no field of these messages uses them; skipped.
        case skipped
    }

    private let bytes: ArraySlice<UInt8>
    private var position: Int
    /// Offset of `bytes` in the whole frame, so errors point at the right byte.
    private let base: Int
    private static let maximumGroupDepth = 32

    init(_ bytes: ArraySlice<UInt8>, base: Int = 0) {
        self.bytes = bytes
        self.position = bytes.startIndex
        self.base = base - bytes.startIndex
    }

    var isAtEnd: Bool { position >= bytes.endIndex }
    /// The frame offset of the next byte to read.
    var offset: Int { base + position }

    /// The next field, or nil at the end of the message.
    mutating func nextField() throws(PubSubWireError) -> (number: Int, value: Value)? {
        guard !isAtEnd else { return nil }
        let keyOffset = offset
        let key = try varint()
        let number = key >> 3
        guard number >= 1, number <= 536_870_911 else {
            throw PubSubWireError("invalid field number \(number) at byte \(keyOffset)")
        }
        guard let wireType = WireType(rawValue: UInt8(key & 7)) else {
            throw PubSubWireError("invalid wire type \(key & 7) at byte \(keyOffset)")
        }
        return (Int(number), try value(of: wireType, field: Int(number), depth: 0))
    }

    private mutating func value(of wireType: WireType, field: Int, depth: Int) throws(PubSubWireError) -> Value {
        switch wireType {
        case .varint:
            return .varint(try varint())
        case .fixed64:
            try skip(8, field: field)
            return .skipped
        case .fixed32:
            try skip(4, field: field)
            return .skipped
        case .lengthDelimited:
            let lengthOffset = offset
            let length = try varint()
            guard length <= UInt64(bytes.endIndex - position) else {
                throw PubSubWireError(
                    "truncated: field \(field) at byte \(lengthOffset) declares \(length) bytes, \(bytes.endIndex - position) remain")
            }
            let start = position
            position += Int(length)
            return .bytes(bytes[start..<position])
        case .startGroup:
            guard depth < Self.maximumGroupDepth else {
                throw PubSubWireError("groups nested deeper than \(Self.maximumGroupDepth) at byte \(offset)")
            }
            // A group (proto2, unknown here) runs until the end-group key of the same field number.
            while true {
                guard !isAtEnd else { throw PubSubWireError("truncated: group \(field) has no end") }
                let keyOffset = offset
                let key = try varint()
                guard let inner = WireType(rawValue: UInt8(key & 7)) else {
                    throw PubSubWireError("invalid wire type \(key & 7) at byte \(keyOffset)")
                }
                if inner == .endGroup {
                    guard key >> 3 == UInt64(field) else {
                        throw PubSubWireError("end of group \(key >> 3) at byte \(keyOffset) closes group \(field)")
                    }
                    return .skipped
                }
                _ = try value(of: inner, field: Int(key >> 3), depth: depth + 1)
            }
        case .endGroup:
            throw PubSubWireError("end of group \(field) at byte \(offset) without its start")
        }
    }

    private mutating func skip(_ count: Int, field: Int) throws(PubSubWireError) {
        guard bytes.endIndex - position >= count else {
            throw PubSubWireError("truncated: field \(field) needs \(count) bytes at byte \(offset), \(bytes.endIndex - position) remain")
        }
        position += count
    }

    /// A base-128 varint of at most 10 bytes, the tenth holding only bit 63.
    mutating func varint() throws(PubSubWireError) -> UInt64 {
        let start = offset
        var result: UInt64 = 0
        for index in 0..<10 {
            guard position < bytes.endIndex else {
                throw PubSubWireError("truncated: the varint at byte \(start) ends early")
            }
            let byte = bytes[position]
            position += 1
            if index == 9 && byte > 1 {
                throw PubSubWireError("the varint at byte \(start) does not fit in 64 bits")
            }
            result |= UInt64(byte & 0x7F) << (7 * UInt64(index))
            if byte < 0x80 { return result }
        }
        throw PubSubWireError("the varint at byte \(start) is longer than 10 bytes")
    }
}
