/// The `Lambda-Runtime-Function-Error-Type` header value, which must read `Category.Reason`.
public enum LambdaErrorType {
    public static let unhandled = "Function.UnhandledError"
    public static let responseSizeTooLarge = "Function.ResponseSizeTooLarge"

    /// `candidate` if it matches `(Runtime|Function)\.[A-Z][a-zA-Z]+`, otherwise `Function.UnhandledError`.
    public static func sanitized(_ candidate: String) -> String {
        isValid(candidate) ? candidate : unhandled
    }

    public static func isValid(_ candidate: String) -> Bool {
        let reason: Substring
        if candidate.hasPrefix("Function.") {
            reason = candidate.dropFirst("Function.".count)
        } else if candidate.hasPrefix("Runtime.") {
            reason = candidate.dropFirst("Runtime.".count)
        } else {
            return false
        }
        guard reason.utf8.count >= 2, let first = reason.utf8.first, isUpper(first) else { return false }
        return reason.utf8.allSatisfy { isUpper($0) || isLower($0) }
    }

    private static func isUpper(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") }
    private static func isLower(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") }
}
