/// Eight bytes at a time over text that is mostly plain ASCII (JSON strings, record values): the
/// word-wide tests let scanning, UTF-8 validation and escaping skip whole words that need nothing,
/// and leave the rest to the byte-by-byte rules.
public enum ASCIIWords {
    // Inlinable: the scanners and escapers of other modules call these once per string.
    @inlinable static var ones: UInt64 { 0x0101_0101_0101_0101 }
    @inlinable static var highs: UInt64 { 0x8080_8080_8080_8080 }

    /// The index of the first eight-byte word from `start` holding a byte that is not printable ASCII
    /// (below 0x20, 0x7F or 0x80 and above) or is `"` or `\`; whole words only, so up to seven plain
    /// bytes before that word, and the bytes after the last whole word, are left to the caller.
    @inlinable @inline(__always)
    public static func plainPrefixEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        guard let base = bytes.baseAddress else { return start }
        var index = start
        let count = bytes.count
        // Wrapping arithmetic: an index within a buffer is far from overflowing, and the checks
        // were a fifth of this loop's instructions.
        while index &+ 8 <= count {
            let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
            if hasLessThan(word, 0x20) | hasByte(word, 0x22) | hasByte(word, 0x5C) | hasAtLeast7F(word) != 0 {
                break
            }
            index &+= 8
        }
        return index
    }

    /// Nonzero when some byte of `word` is 0x7F or above; exact as a yes/no test (a carry out of
    /// one byte only comes from a byte of 0xFF, which is found on its own).
    @inlinable @inline(__always)
    static func hasAtLeast7F(_ word: UInt64) -> UInt64 {
        ((word &+ ones) | word) & highs
    }

    /// Like `plainPrefixEnd`, but stops only at a byte of 0x80 or above.
    @inlinable @inline(__always)
    public static func asciiPrefixEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        guard let base = bytes.baseAddress else { return start }
        var index = start
        let count = bytes.count
        while index + 8 <= count, UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self) & highs == 0 {
            index += 8
        }
        return index
    }

    /// Nonzero when some byte of `word` is below `limit` (at most 0x80); exact as a yes/no test.
    @inlinable @inline(__always)
    static func hasLessThan(_ word: UInt64, _ limit: UInt64) -> UInt64 {
        (word &- ones &* limit) & ~word & highs
    }

    /// Nonzero when some byte of `word` equals `byte`.
    @inlinable @inline(__always)
    static func hasByte(_ word: UInt64, _ byte: UInt64) -> UInt64 {
        hasLessThan(word ^ (ones &* byte), 1)
    }
}
