extension JSONValue {
    public var stringValue: String? {
        if case let .string(text) = self { return text }
        return nil
    }

    /// The first member name an object repeats, if any.
    public var firstDuplicateKey: String? {
        guard case let .object(members) = self else { return nil }
        var seen = Set<String>()
        return members.first { !seen.insert($0.key).inserted }?.key
    }
}
