/// Which requests the local API gateway answers. It listens on loopback only, but a web page the
/// developer visits can still reach it through the browser: with a WebSocket (browsers send no
/// preflight for those), with a cross-origin request, or under its own host name resolved to
/// 127.0.0.1 (DNS rebinding). So the gateway answers only loopback `Host` names, and a request
/// that carries an `Origin` only from its own origin or one the developer allowed.
public struct GatewayAccess: Sendable, Equatable {
    /// Origins given with `--allow-origin`, normalised (lowercase, no trailing slash).
    public let allowedOrigins: Set<String>
    /// The gateway's port: its own origins are `http://127.0.0.1:PORT` and `http://localhost:PORT`.
    public let port: Int

    public init(allowedOrigins: [String], port: Int) {
        self.allowedOrigins = Set(allowedOrigins.map(Self.normalized))
        self.port = port
    }

    /// Why a request is refused (for the log), or nil when it may be answered.
    public func refusal(host: String?, origin: String?) -> String? {
        guard let host, Self.isLoopbackHost(host) else {
            return "Host '\(String((host ?? "").prefix(80)))' is not a loopback name"
        }
        guard let origin else { return nil }  // not a browser: no page can drive it
        let normalized = Self.normalized(origin)
        if normalized == "http://127.0.0.1:\(port)" || normalized == "http://localhost:\(port)" { return nil }
        if allowedOrigins.contains(normalized) { return nil }
        return "Origin '\(String(origin.prefix(80)))' is not the gateway's own and was not given with --allow-origin"
    }

    /// `localhost`, a `*.localhost` name, `127.x.y.z` or `[::1]`, with or without a port.
    public static func isLoopbackHost(_ value: String) -> Bool {
        let host: Substring
        var rest: Substring
        if value.hasPrefix("[") {
            guard let close = value.firstIndex(of: "]") else { return false }
            host = value[value.index(after: value.startIndex)..<close]
            rest = value[value.index(after: close)...]
        } else {
            let parts = value.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            host = parts[0]
            rest = parts.count > 1 ? ":" + parts[1] : ""
        }
        if !rest.isEmpty {
            guard rest.first == ":" else { return false }
            rest = rest.dropFirst()
            guard !rest.isEmpty, rest.count <= 5, rest.allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
        }
        let name = host.lowercased()
        if name == "localhost" || name == "::1" { return true }
        if name.hasSuffix(".localhost"), name.count > ".localhost".count { return true }
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets[0] == "127" else { return false }
        return octets.allSatisfy { octet in
            !octet.isEmpty && octet.count <= 3 && octet.allSatisfy { $0.isASCII && $0.isNumber } && (Int(octet) ?? 256) <= 255
        }
    }

    /// An `--allow-origin` value is `http(s)://host[:port]`: no path, no wildcard, not `null`.
    public static func isValidOriginOption(_ value: String) -> Bool {
        let lowered = value.lowercased()
        let rest: Substring
        if lowered.hasPrefix("http://") {
            rest = lowered.dropFirst(7)
        } else if lowered.hasPrefix("https://") {
            rest = lowered.dropFirst(8)
        } else {
            return false
        }
        let trimmed = rest.hasSuffix("/") ? rest.dropLast() : rest
        return !trimmed.isEmpty && !trimmed.contains(where: { "/*?#@ ".contains($0) })
    }

    static func normalized(_ origin: String) -> String {
        let lowered = origin.lowercased()
        return lowered.hasSuffix("/") ? String(lowered.dropLast()) : lowered
    }
}
