import FunctionCore
import JSON

/// The CORS headers of the function's API answers, from `CORS_ALLOW_ORIGIN` (the template sets it
/// from its `CorsAllowOrigin` parameter). Unset: no CORS headers, so browsers on other origins
/// cannot read answers unless API Gateway's own CORS configuration adds them.
package struct CORSPolicy: Sendable {
    package static let variable = "CORS_ALLOW_ORIGIN"

    /// `*` or one origin, `scheme://host[:port]`.
    package let allowOrigin: String

    /// nil when the variable is unset or empty; an init error when it is not `*` or an origin.
    package init?(_ environment: Environment) throws(ConfigurationError) {
        guard let value = environment.text(Self.variable) else { return nil }
        guard value == "*" || Self.isOrigin(value) else {
            throw ConfigurationError(
                Self.variable, "must be * or one origin such as https://app.example.com (scheme://host[:port], no path)")
        }
        allowOrigin = value
    }

    package var headers: [(String, String)] {
        var headers = [
            ("Access-Control-Allow-Origin", allowOrigin),
            ("Access-Control-Allow-Methods", "GET,POST,DELETE,OPTIONS"),
            ("Access-Control-Allow-Headers", "Content-Type,Authorization,X-Api-Key,X-Amz-Date,X-Amz-Security-Token,X-Amz-Content-Sha256"),
        ]
        if allowOrigin != "*" {
            // The answer depends on the origin: caches must not hand it to another one.
            headers.append(("Vary", "Origin"))
        }
        return headers
    }

    private static func isOrigin(_ text: String) -> Bool {
        let parts = text.split(separator: "://", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0] == "https" || parts[0] == "http", !parts[1].isEmpty else { return false }
        return parts[1].utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: ":"):
                true
            default:
                false
            }
        }
    }
}
