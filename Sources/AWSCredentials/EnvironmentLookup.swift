extension Dictionary where Key == String, Value == String {
    /// The value, or `nil` when unset or empty (the SDKs treat both alike).
    func nonEmpty(_ name: String) -> String? {
        guard let value = self[name], !value.isEmpty else { return nil }
        return value
    }
}
