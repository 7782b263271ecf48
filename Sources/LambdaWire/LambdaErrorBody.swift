import Encoding

/// The `{"errorMessage":...,"errorType":...}` document of the Runtime API's `/error` and
/// `/init/error` and of Lambda's error answers to callers. An `Error` too: a function throws it
/// as it is (`LambdaRuntime`'s `LambdaError`).
public struct LambdaErrorBody: Error, Codable, Equatable, Sendable, CustomStringConvertible {
    public var errorMessage: String
    public var errorType: String

    public init(errorMessage: String, errorType: String) {
        self.errorMessage = errorMessage
        self.errorType = errorType
    }

    /// The body as bytes; runtimes add an empty `stackTrace`, as AWS's own runtimes do.
    public func bytes(withStackTrace: Bool = false) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(errorMessage.utf8.count + errorType.utf8.count + 48)
        bytes.append(contentsOf: #"{"errorMessage":"#.utf8)
        JSONString.appendQuoted(errorMessage, to: &bytes)
        bytes.append(contentsOf: #","errorType":"#.utf8)
        JSONString.appendQuoted(errorType, to: &bytes)
        if withStackTrace { bytes.append(contentsOf: #","stackTrace":[]"#.utf8) }
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    public var description: String { "\(errorType): \(errorMessage)" }

    /// The body as text, without `stackTrace`.
    public var json: String { String(decoding: bytes(), as: UTF8.self) }

    /// What a runtime posts: `{"errorMessage":...,"errorType":...,"stackTrace":[]}`.
    public static func encode(errorType: String, errorMessage: String) -> [UInt8] {
        LambdaErrorBody(errorMessage: errorMessage, errorType: errorType).bytes(withStackTrace: true)
    }
}
