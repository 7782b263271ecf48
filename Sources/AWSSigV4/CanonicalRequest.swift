import Encoding

/// Builds the canonical request of SigV4 from its parts, the way botocore does.
struct CanonicalRequest {
    /// Header names botocore never signs: hop-by-hop headers and ones proxies rewrite.
    static let unsignedHeaderNames: Set<String> = [
        "connection", "expect", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
        "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id",
    ]

    static let emptyPayloadSHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    let text: String
    let signedHeaders: String

    init(
        method: String, path: String, normalizesAndEscapesPath: Bool, query: [(name: String, value: String)],
        host: String, headers: [(name: String, value: String)], payloadHash: String
    ) {
        let canonicalHeaders = CanonicalRequest.canonicalHeaders(host: host, headers: headers)
        signedHeaders = canonicalHeaders.names.joined(separator: ";")
        let canonicalPath = normalizesAndEscapesPath
            ? AWSPercentEncoding.encodePath(CanonicalRequest.normalizedPath(path))
            : (path.isEmpty ? "/" : path)
        var text = method.uppercased()
        text += "\n" + canonicalPath
        text += "\n" + CanonicalRequest.canonicalQuery(query)
        text += "\n" + canonicalHeaders.lines + "\n"
        text += "\n" + signedHeaders
        text += "\n" + payloadHash
        self.text = text
    }

    /// The payload hash: an explicit `X-Amz-Content-SHA256` header wins, as in botocore.
    static func payloadHash(_ payload: SigningRequest.Payload, headers: [(name: String, value: String)]) -> String {
        if let explicit = headers.first(where: { $0.name.lowercased() == "x-amz-content-sha256" }) {
            return explicit.value
        }
        switch payload {
        case .bytes(let bytes):
            return bytes.isEmpty ? emptyPayloadSHA256 : Hex.encode(SHA256Digest.hash(bytes))
        case .precomputedSHA256(let hash):
            return hash
        case .unsigned:
            return "UNSIGNED-PAYLOAD"
        }
    }

    /// RFC 3986 section 5.2.4 dot-segment removal plus the collapse of empty segments (`//`)
    /// that AWS services expect. A trailing slash survives unless nothing else does.
    static func normalizedPath(_ path: String) -> String {
        guard !path.isEmpty else { return "/" }
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            if segment == "." { continue }
            if segment == ".." {
                _ = segments.popLast()
            } else {
                segments.append(segment)
            }
        }
        var result = path.hasPrefix("/") ? "/" : ""
        result += segments.joined(separator: "/")
        if path.hasSuffix("/") && !segments.isEmpty { result += "/" }
        return result
    }

    /// Each name and value encoded, sorted by encoded name then encoded value; repeats kept.
    static func canonicalQuery(_ query: [(name: String, value: String)]) -> String {
        query
            .map { (AWSPercentEncoding.encodeQueryComponent($0.name), AWSPercentEncoding.encodeQueryComponent($0.value)) }
            .sorted { lhs, rhs in
                lhs.0 == rhs.0 ? utf8Less(lhs.1, rhs.1) : utf8Less(lhs.0, rhs.0)
            }
            .map { $0.0 + "=" + $0.1 }
            .joined(separator: "&")
    }

    /// Lower-cased names, sorted; repeated names' values joined with `,` in order; each value trimmed
    /// and its runs of whitespace collapsed to one space. `host` is added unless a header gives it.
    static func canonicalHeaders(host: String, headers: [(name: String, value: String)]) -> (lines: String, names: [String]) {
        var values: [String: [String]] = [:]
        for (name, value) in headers {
            let lowered = lowercasedASCII(name)
            if unsignedHeaderNames.contains(lowered) { continue }
            values[lowered, default: []].append(trimmedAndCollapsed(value))
        }
        if values["host"] == nil {
            values["host"] = [host]
        }
        let names = values.keys.sorted(by: utf8Less)
        var lines: [String] = []
        lines.reserveCapacity(names.count)
        for name in names {
            lines.append(name + ":" + (values[name] ?? []).joined(separator: ","))
        }
        return (lines.joined(separator: "\n"), names)
    }

    /// Python's `' '.join(value.split())` for ASCII whitespace, which is what botocore signs.
    static func trimmedAndCollapsed(_ value: String) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(value.utf8.count)
        var pendingSpace = false
        for byte in value.utf8 {
            if isASCIIWhitespace(byte) {
                pendingSpace = !output.isEmpty
            } else {
                if pendingSpace {
                    output.append(UInt8(ascii: " "))
                    pendingSpace = false
                }
                output.append(byte)
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func isASCIIWhitespace(_ byte: UInt8) -> Bool {
        // Space, \t \n \v \f \r, and the information separators 0x1C-0x1F Python also splits on.
        byte == 0x20 || (0x09...0x0D).contains(byte) || (0x1C...0x1F).contains(byte)
    }
}

func lowercasedASCII(_ text: String) -> String {
    guard text.utf8.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) else { return text }
    return String(decoding: text.utf8.map { ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z")) ? $0 + 32 : $0 },
                  as: UTF8.self)
}

/// Byte order of the UTF-8 forms (code point order), not Swift's Unicode-aware `<`.
func utf8Less(_ lhs: String, _ rhs: String) -> Bool {
    lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
}
