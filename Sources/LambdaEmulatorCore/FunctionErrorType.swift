/// The `Lambda-Runtime-Function-Error-Type` header a runtime sends with an invocation error.
public enum FunctionErrorType {
    /// What the emulator records when the header is absent or malformed.
    public static let unknown = "Runtime.Unknown"

    /// The header value if it has the form `(Runtime|Function).[A-Z][a-zA-Z]+`, else `Runtime.Unknown`.
    public static func normalized(_ header: String?) -> String {
        guard let header, isValid(header) else { return unknown }
        return header
    }

    public static func isValid(_ value: String) -> Bool {
        let parts = value.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0] == "Runtime" || parts[0] == "Function" else { return false }
        let name = parts[1].utf8
        guard name.count >= 2, let first = name.first, (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(first) else {
            return false
        }
        return name.allSatisfy { byte in
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
        }
    }
}
