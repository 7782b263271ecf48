/// The one reader of integer settings (environment variables and the like): decimal text within a
/// range. Each caller words its own error; the rule for what counts as a number is this one.
public enum IntegerText {
    /// `text` as an integer within `range`, or nil when it is not a decimal integer or out of range.
    public static func value<T: FixedWidthInteger>(_ text: some StringProtocol, in range: ClosedRange<T>) -> T? {
        guard let value = T(text, radix: 10), range.contains(value) else { return nil }
        return value
    }
}
