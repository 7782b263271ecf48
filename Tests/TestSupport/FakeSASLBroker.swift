import Foundation

/// One line the fake broker printed: a TLS handshake, a decoded request or a closed connection.
public struct FakeBrokerEvent: Decodable, Sendable {
    public var event: String
    /// Request name (`ApiVersions`, `SaslHandshake`, `SaslAuthenticate`, `Metadata`).
    public var name: String?
    public var apiVersion: Int?
    /// The mechanism a SaslHandshake asked for.
    public var mechanism: String?
    /// The client's SaslAuthenticate bytes as text.
    public var authBytes: String?
    public var accepted: Bool?
    public var error: String?

    enum CodingKeys: String, CodingKey {
        case event, name, mechanism, accepted, error
        case apiVersion = "api_version"
        case authBytes = "auth_bytes"
    }
}

/// `scripts/test-tools/fake_sasl_broker.py` under `python3`: a TLS Kafka listener with its own
/// throwaway CA that records the client's SASL frames (librdkafka's mock cluster has no TLS or SASL).
public final class FakeSASLBroker: @unchecked Sendable {
    public let port: Int
    /// The PEM file of the CA that signed the broker's certificate (for `KAFKA_CA_FILE`).
    public let caFile: String
    /// `localhost:<port>`: the broker's certificate names localhost, so host name verification passes.
    public var bootstrapServer: String { "localhost:\(port)" }
    private let child: ChildProcess
    private let directory: URL

    public static var scriptPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/test-tools/fake_sasl_broker.py").path
    }

    /// - Parameters:
    ///   - mechanism: the one SASL mechanism the broker enables.
    ///   - refuse: refuse every SaslAuthenticate (OAUTHBEARER is accepted otherwise; other mechanisms never).
    public init(mechanism: String = "OAUTHBEARER", refuse: Bool = false) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("fake-sasl-broker-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        guard let python = Self.python3() else {
            throw ChildProcessError(description: "python3 is not on PATH (the fake broker needs it and its cryptography package)")
        }
        var arguments = [Self.scriptPath, "--dir", directory.path, "--mechanism", mechanism]
        if refuse { arguments.append("--refuse") }
        child = try ChildProcess(executable: python, arguments: arguments)
        let line = try child.waitForLine(timeout: 60) { $0.contains(#""event": "listening""#) }
        struct Listening: Decodable {
            var port: Int
            var ca_file: String
        }
        let listening = try JSONDecoder().decode(Listening.self, from: Data(line.utf8))
        port = listening.port
        caFile = listening.ca_file
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    public func stop() {
        child.closeStandardInput()
        child.stop(grace: 2)
    }

    /// Every event so far, in order.
    public var events: [FakeBrokerEvent] {
        child.standardOutput.split(separator: "\n").compactMap {
            try? JSONDecoder().decode(FakeBrokerEvent.self, from: Data($0.utf8))
        }
    }

    public func requests(named name: String) -> [FakeBrokerEvent] {
        events.filter { $0.event == "request" && $0.name == name }
    }

    /// Waits (bounded) until the events satisfy `predicate`; returns whether they did.
    @discardableResult
    public func waitForEvents(timeout: TimeInterval = 20, until predicate: ([FakeBrokerEvent]) -> Bool) -> Bool {
        poll(timeout: timeout, every: 0.02) { predicate(events) }
    }

    /// What the broker printed on stderr (Python tracebacks), for failure messages.
    public var standardError: String { child.standardError }

    private static func python3() -> String? {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let candidate = "\(directory)/python3"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}

/// Decodes an MSK IAM token taken from an OAUTHBEARER client response (`n,,\u{1}auth=Bearer <token>\u{1}\u{1}`).
public enum OAuthBearerResponse {
    /// The token after `auth=Bearer `.
    public static func token(in authBytes: String) -> String? {
        for field in authBytes.split(separator: "\u{1}") where field.hasPrefix("auth=Bearer ") {
            return String(field.dropFirst("auth=Bearer ".count))
        }
        return nil
    }

    /// base64url (unpadded) to text.
    public static func decodeBase64URL(_ text: String) -> String? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The query items of a URL, percent-decoded, keyed by name.
    public static func queryItems(of url: String) -> [String: String] {
        var items: [String: String] = [:]
        for item in URLComponents(string: url)?.queryItems ?? [] {
            items[item.name] = item.value ?? ""
        }
        return items
    }
}
