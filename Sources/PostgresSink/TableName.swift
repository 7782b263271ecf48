/// A table the sink writes, optionally schema-qualified, quoted wherever it goes into SQL.
public struct TableName: Sendable, Hashable, CustomStringConvertible {
    public var schema: String?
    public var name: String

    /// PostgreSQL truncates identifiers to 63 bytes; the sink never relies on that silently.
    static let maximumLength = 63

    /// Accepts `table` or `schema.table`, each `[a-z_][a-z0-9_]*` of at most 63 characters.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= 2, parts.allSatisfy(Self.isPlainIdentifier) else { return nil }
        self.schema = parts.count == 2 ? parts[0] : nil
        self.name = parts[parts.count - 1]
    }

    /// The table for a topic: the topic's name in lower case, characters outside `[a-z0-9_]` replaced by `_`,
    /// cut to 63 characters.
    public static func forTopic(_ topic: String) -> TableName {
        var name = ""
        for scalar in topic.lowercased().unicodeScalars.prefix(maximumLength) {
            let allowed = ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_"
            name.unicodeScalars.append(allowed ? scalar : "_")
        }
        return TableName(schema: nil, name: name.isEmpty ? "_" : name)
    }

    private init(schema: String?, name: String) {
        self.schema = schema
        self.name = name
    }

    /// The name as SQL: each part in double quotes, embedded quotes doubled.
    public var quoted: String {
        (schema.map { quoteIdentifier($0) + "." } ?? "") + quoteIdentifier(name)
    }

    public var description: String { (schema.map { $0 + "." } ?? "") + name }

    private static func isPlainIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, text.unicodeScalars.count <= maximumLength,
              ("a"..."z").contains(first) || first == "_" else { return false }
        return text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }
}

/// `"name"` with every `"` doubled: PostgreSQL's quoted identifier.
func quoteIdentifier(_ name: String) -> String {
    "\"" + name.replacingAll("\"", with: "\"\"") + "\""
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var result = ""
        result.reserveCapacity(utf8.count)
        for character in self {
            if character == target { result += replacement } else { result.append(character) }
        }
        return result
    }
}
