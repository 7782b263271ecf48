import JSON

/// Kafka's rules for a topic name: 1 to 249 characters from `[a-zA-Z0-9._-]`, and not `.` or `..`.
package enum TopicName {
    package static let maximumLength = 249

    package static func validate(_ name: String, field: String) throws(FunctionError) -> String {
        guard !name.isEmpty else {
            throw .invalidEvent("Field '\(field)' must not be empty")
        }
        guard name.utf8.count <= maximumLength else {
            throw .invalidEvent("Field '\(field)' is longer than \(maximumLength) characters")
        }
        guard name != "." && name != ".." else {
            throw .invalidEvent("Field '\(field)' cannot be '.' or '..'")
        }
        let allowed = name.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
        guard allowed else {
            throw .invalidEvent("Field '\(field)' may contain only ASCII letters, digits, '.', '_' and '-'")
        }
        return name
    }
}
