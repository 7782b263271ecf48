import JSON

/// Reads the members of one JSON object strictly: each accessor checks the type and range and
/// names the offending field by its path; `finish()` rejects members nobody asked for.
package struct ObjectReader {
    package let path: String
    private let members: [(key: String, value: JSONValue)]
    /// Which members an accessor asked for, by position (an event source batch reads ten per record).
    private var consumed: [Bool]

    package init(_ value: JSONValue, path: String) throws(FunctionError) {
        guard case let .object(members) = value else {
            throw .invalidEvent("\(path.isEmpty ? "The event" : "'\(path)'") must be a JSON object, got \(value.typeName)")
        }
        if let repeated = Self.firstRepeatedKey(members) {
            throw .invalidEvent("Field '\(Self.join(path, repeated.truncatedForMessage))' appears more than once")
        }
        self.path = path
        self.members = members
        self.consumed = Array(repeating: false, count: members.count)
    }

    /// Small objects (records, options) are compared pairwise, which beats hashing every key.
    private static func firstRepeatedKey(_ members: [(key: String, value: JSONValue)]) -> String? {
        if members.count <= 16 {
            for index in members.indices.dropFirst() where members[..<index].contains(where: { $0.key == members[index].key }) {
                return members[index].key
            }
            return nil
        }
        var seen = Set<String>()
        return members.first { !seen.insert($0.key).inserted }?.key
    }

    package func fieldPath(_ name: String) -> String { Self.join(path, name) }

    private static func join(_ path: String, _ name: String) -> String {
        path.isEmpty ? name : "\(path).\(name)"
    }

    /// The raw value, or nil when the member is absent or JSON null.
    package mutating func value(_ name: String) -> JSONValue? {
        guard let index = members.firstIndex(where: { $0.key == name }) else { return nil }
        consumed[index] = true
        let value = members[index].value
        if case .null = value { return nil }
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

    /// The path is only worked out for the error (batches call this for every header byte).
    package static func integer(
        _ value: JSONValue, path: @autoclosure () -> String, in range: ClosedRange<Int64>
    ) throws(FunctionError) -> Int64 {
        func problem() -> String { "Field '\(path())' must be an integer from \(range.lowerBound) to \(range.upperBound)" }
        guard case let .number(text) = value else {
            throw .invalidEvent("\(problem()), got \(value.typeName)")
        }
        guard let number = Int64(text), range.contains(number) else {
            throw .invalidEvent("\(problem()), got \(text.prefix(40))")
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
        if let unknown = consumed.firstIndex(of: false) {
            throw .invalidEvent("Unknown field '\(Self.join(path, members[unknown].key.truncatedForMessage))'")
        }
    }
}
