/// Writes protobuf's wire format. proto3 fields with implicit presence are left out at their
/// default (0, empty), as every protobuf runtime does; callers decide by calling or not.
struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    init(reservingCapacity capacity: Int = 64) {
        bytes.reserveCapacity(capacity)
    }

    mutating func varint(_ value: UInt64) {
        var remaining = value
        while remaining >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: remaining) | 0x80)
            remaining >>= 7
        }
        bytes.append(UInt8(remaining))
    }

    mutating func key(_ field: Int, wireType: ProtobufReader.WireType) {
        varint(UInt64(field) << 3 | UInt64(wireType.rawValue))
    }

    /// int64 and int32 are written as their 64-bit two's complement: a negative value takes 10 bytes.
    mutating func int64(_ field: Int, _ value: Int64) {
        guard value != 0 else { return }
        key(field, wireType: .varint)
        varint(UInt64(bitPattern: value))
    }

    mutating func bytesField(_ field: Int, _ value: some Collection<UInt8>, always: Bool = false) {
        guard always || !value.isEmpty else { return }
        key(field, wireType: .lengthDelimited)
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// Bytes a varint of `value` takes.
    static func varintSize(_ value: UInt64) -> Int {
        var size = 1
        var remaining = value >> 7
        while remaining != 0 {
            size += 1
            remaining >>= 7
        }
        return size
    }
}
