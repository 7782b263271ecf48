/// Writes ASCII text and decimal integers straight into memory the caller sized (a stack buffer for
/// one record's fixed members, the whole answer of a large produce): no `Array` bookkeeping per
/// piece, which cost more than the bytes themselves in answers of tens of thousands of records.
///
/// The caller guarantees room: each `put` assumes its bytes fit (see `maximumDecimalBytes`).
package struct ByteCursor {
    package let base: UnsafeMutablePointer<UInt8>
    package private(set) var count = 0

    /// Digits and sign of the longest `Int64`.
    package static let maximumDecimalBytes = 20

    package init(_ base: UnsafeMutablePointer<UInt8>) {
        self.base = base
    }

    package mutating func put(_ text: StaticString) {
        (base + count).update(from: text.utf8Start, count: text.utf8CodeUnitCount)
        count += text.utf8CodeUnitCount
    }

    package mutating func put(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress else { return }
        (base + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    /// `bytes` in double quotes (text that needs no escape), or `null`.
    package mutating func putQuotedOrNull(_ bytes: UnsafeBufferPointer<UInt8>?) {
        guard let bytes else {
            put("null")
            return
        }
        base[count] = UInt8(ascii: "\"")
        count += 1
        put(bytes)
        base[count] = UInt8(ascii: "\"")
        count += 1
    }

    package mutating func put(_ value: Int64) {
        if value < 0 {
            base[count] = UInt8(ascii: "-")
            count += 1
        }
        putDigits(value.magnitude)
    }

    /// Two digits per step from a table of "00" to "99", written from the last digit back.
    private mutating func putDigits(_ value: UInt64) {
        // Counted by comparison (10^19 is the last power of ten a UInt64 holds), not division.
        var digits = 1
        var power: UInt64 = 10
        while digits < 20 && value >= power {
            digits += 1
            power &*= 10
        }
        var at = count + digits
        var rest = value
        Self.pairs.withUTF8Buffer { pairs in
            while rest >= 100 {
                let pair = Int(rest % 100) * 2
                rest /= 100
                at -= 2
                base[at] = pairs[pair]
                base[at + 1] = pairs[pair + 1]
            }
            if rest >= 10 {
                let pair = Int(rest) * 2
                base[at - 2] = pairs[pair]
                base[at - 1] = pairs[pair + 1]
            } else {
                base[at - 1] = UInt8(ascii: "0") + UInt8(rest)
            }
        }
        count += digits
    }

    private static let pairs: StaticString = """
        00010203040506070809101112131415161718192021222324252627282930313233343536373839\
        40414243444546474849505152535455565758596061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899
        """
}

/// Calls `body` with a cursor over 128 bytes on the stack (room for a record's fixed members:
/// labels and three integers), for pieces appended to a writer in one step.
@inline(__always)
package func withStackCursor<R>(_ body: (inout ByteCursor) -> R) -> R {
    var storage: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                  UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    return withUnsafeMutablePointer(to: &storage) { pointer in
        var cursor = ByteCursor(UnsafeMutableRawPointer(pointer).bindMemory(to: UInt8.self, capacity: 128))
        return body(&cursor)
    }
}
