import LambdaWire

/// The `Lambda-Runtime-Function-Error-Type` header a runtime sends with an invocation error.
public enum FunctionErrorType {
    /// What the emulator records when the header is absent or malformed.
    public static let unknown = "Runtime.Unknown"

    /// The header value if `LambdaErrorType` accepts it, else `Runtime.Unknown`.
    public static func normalized(_ header: String?) -> String {
        guard let header, LambdaErrorType.isValid(header) else { return unknown }
        return header
    }
}
