/// The topics a sink writes and serves (`SINK_TOPICS`): exact names and name prefixes (`orders,audit.*`).
/// Reads of any other name answer "not found" without a query, so table names are no oracle.
public struct SinkTopics: Sendable, CustomStringConvertible {
    public private(set) var names: [String] = []
    public private(set) var prefixes: [String] = []

    /// Comma-separated entries, each a topic name (`[a-zA-Z0-9._-]`, 1 to 249 characters) or a
    /// non-empty prefix followed by `*`; nil when an entry is anything else or there is none.
    public init?(_ text: String) {
        for entry in text.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = entry.trimmingSpaces()
            if trimmed.hasSuffix("*") {
                let prefix = String(trimmed.dropLast())
                guard Self.isTopicName(prefix) else { return nil }
                prefixes.append(prefix)
            } else {
                guard Self.isTopicName(trimmed) else { return nil }
                names.append(trimmed)
            }
        }
        guard !names.isEmpty || !prefixes.isEmpty else { return nil }
    }

    public func contains(_ topic: String) -> Bool {
        names.contains(topic) || prefixes.contains { topic.hasPrefix($0) }
    }

    public var description: String {
        (names + prefixes.map { $0 + "*" }).joined(separator: ",")
    }

    private static func isTopicName(_ text: String) -> Bool {
        (1...249).contains(text.utf8.count) && text.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }
}

private extension Substring {
    func trimmingSpaces() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
