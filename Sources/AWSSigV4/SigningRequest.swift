/// One HTTP request as SigV4 sees it.
public struct SigningRequest: Sendable {
    public var method: String
    /// `https` or `http`; only used to write the presigned URL.
    public var scheme: String
    /// The `Host` header value: lower-case host name, plus `:port` when the port is not the scheme's default.
    public var host: String
    /// The path as it appears in the URL, already percent-encoded (see `AWSPercentEncoding.encodePath`).
    public var path: String
    /// Decoded query parameters in URL order; names may repeat.
    public var query: [(name: String, value: String)]
    /// Headers to send besides `Host`; names may repeat (values are then joined with `,` in order).
    public var headers: [(name: String, value: String)]
    public var payload: Payload

    /// What the canonical request says about the body.
    public enum Payload: Sendable {
        /// Hash these bytes (an empty array means an empty body).
        case bytes([UInt8])
        /// A hex SHA-256 the caller computed already.
        case precomputedSHA256(String)
        /// `UNSIGNED-PAYLOAD`, as S3 presigned URLs use.
        case unsigned

        public static let empty = Payload.bytes([])
    }

    public init(
        method: String, scheme: String = "https", host: String, path: String = "/",
        query: [(name: String, value: String)] = [], headers: [(name: String, value: String)] = [],
        payload: Payload = .empty
    ) {
        self.method = method
        self.scheme = scheme
        self.host = host
        self.path = path
        self.query = query
        self.headers = headers
        self.payload = payload
    }

    /// Splits an absolute `http`/`https` URL; `nil` when it is not one.
    /// The query is percent-decoded (`+` is kept literally); a default port is dropped from `host`.
    public init?(
        method: String, url: String, headers: [(name: String, value: String)] = [], payload: Payload = .empty
    ) {
        guard let parts = URLParts(url) else { return nil }
        self.init(method: method, scheme: parts.scheme, host: parts.hostHeader, path: parts.path,
                  query: parts.query, headers: headers, payload: payload)
    }

    /// `scheme://host/path?query`, the query encoded in order.
    public var url: String {
        var text = scheme + "://" + host + (path.isEmpty ? "/" : path)
        if !query.isEmpty {
            text += "?" + query.map {
                AWSPercentEncoding.encodeQueryComponent($0.name) + "=" + AWSPercentEncoding.encodeQueryComponent($0.value)
            }.joined(separator: "&")
        }
        return text
    }
}

/// The pieces of an absolute URL that signing needs. Not a general URL parser: no user info.
struct URLParts {
    var scheme: String
    var hostHeader: String
    var path: String
    var query: [(name: String, value: String)]

    init?(_ url: String) {
        guard let colon = url.firstIndex(of: ":"), url[colon...].hasPrefix("://") else { return nil }
        scheme = url[..<colon].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        var rest = url[url.index(colon, offsetBy: 3)...]
        if let fragment = rest.firstIndex(of: "#") { rest = rest[..<fragment] }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard !authority.isEmpty, !authority.contains("@") else { return nil }
        hostHeader = URLParts.hostHeader(authority: authority.lowercased(), scheme: scheme)
        let pathAndQuery = rest[authorityEnd...]
        let queryStart = pathAndQuery.firstIndex(of: "?")
        let rawPath = pathAndQuery[..<(queryStart ?? pathAndQuery.endIndex)]
        path = rawPath.isEmpty ? "/" : String(rawPath)
        query = []
        if let queryStart {
            for pair in pathAndQuery[pathAndQuery.index(after: queryStart)...].split(separator: "&") {
                let equals = pair.firstIndex(of: "=")
                let name = pair[..<(equals ?? pair.endIndex)]
                let value = equals.map { pair[pair.index(after: $0)...] } ?? ""
                query.append((AWSPercentEncoding.decode(name), AWSPercentEncoding.decode(value)))
            }
        }
    }

    private static func hostHeader(authority: String, scheme: String) -> String {
        // The port follows the last colon, unless that colon is inside an IPv6 literal.
        guard let colon = authority.lastIndex(of: ":"), !authority[colon...].contains("]") else { return authority }
        let port = authority[authority.index(after: colon)...]
        if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") || port.isEmpty {
            return String(authority[..<colon])
        }
        return authority
    }
}
