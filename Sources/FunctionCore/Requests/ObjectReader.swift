import JSON

/// Reads the members of one JSON object strictly: each accessor checks the type and range and
/// names the offending field by its path; `finish()` rejects members nobody asked for.
package struct ObjectReader {
    package let path: String
    private let members: [(key: String, value: JSONValue)]
    private var consumed: Set<String> = []

    package init(_ value: JSONValue, path: String) throws(FunctionError) {
        guard case let .object(members) = value else {
            throw .invalidEvent("\(path.isEmpty ? "The event" : "'\(path)'") must be a JSON object, got \(value.typeName)")
        }
        var seen = Set<String>()
        for member in members where !seen.insert(member.key).inserted {
            throw .invalidEvent("Field '\(Self.join(path, member.key.truncatedForMessage))' appears more than once")
        }
        self.path = path
        self.members = members
    }

    package func fieldPath(_ name: String) -> String { Self.join(path, name) }

    private static func join(_ path: String, _ name: String) -> String {
        path.isEmpty ? name : "\(path).\(name)"
    }

    /// The raw value, or nil when the member is absent or JSON null.
    package mutating func value(_ name: String) -> JSONValue? {
        consumed.insert(name)
        guard let value = members.first(where: { $0.key == name })?.value, value != .null else { return nil }
        return value
    }

    package func hasMember(_ name: String) -> Bool {
        members.contains { $0.key == name }
    }

    package mutating func string(_ name: String) throws(FunctionError) -> String? {
        guard let value = value(name) else { return nil }
        guard case let .string(text) = value else {
            throw .invalidEvent("Field '\(fieldPath(name))' must be a string, got \(value.typeName)")
        }
        return text
    }

    package mutating func requiredString(_ name: String) throws(FunctionError) -> String {
        guard let text = try string(name) else {
            throw .invalidEvent("Field '\(fieldPath(name))' is required")
        }
        return text
    }

    package mutating func bool(_ name: String) throws(FunctionError) -> Bool? {
        guard let value = value(name) else { return nil }
        guard case let .bool(flag) = value else {
            throw .invalidEvent("Field '\(fieldPath(name))' must be true or false, got \(value.typeName)")
        }
        return flag
    }

    package mutating func integer(_ name: String, in range: ClosedRange<Int64>) throws(FunctionError) -> Int64? {
        guard let value = value(name) else { return nil }
        return try Self.integer(value, path: fieldPath(name), in: range)
    }

    package static func integer(_ value: JSONValue, path: String, in range: ClosedRange<Int64>) throws(FunctionError) -> Int64 {
        let problem = "Field '\(path)' must be an integer from \(range.lowerBound) to \(range.upperBound)"
        guard case let .number(text) = value else {
            throw .invalidEvent("\(problem), got \(value.typeName)")
        }
        guard let number = Int64(text), range.contains(number) else {
            throw .invalidEvent("\(problem), got \(text.prefix(40))")
        }
        return number
    }

    package mutating func array(_ name: String) throws(FunctionError) -> [JSONValue]? {
        guard let value = value(name) else { return nil }
        guard case let .array(elements) = value else {
            throw .invalidEvent("Field '\(fieldPath(name))' must be an array, got \(value.typeName)")
        }
        return elements
    }

    /// Rejects members that no accessor asked for: a misspelt option must not be silently ignored.
    package func finish() throws(FunctionError) {
        if let unknown = members.first(where: { !consumed.contains($0.key) }) {
            throw .invalidEvent("Unknown field '\(Self.join(path, unknown.key.truncatedForMessage))'")
        }
    }
}
