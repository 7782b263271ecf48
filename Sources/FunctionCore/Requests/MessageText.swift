import JSON

extension String {
    /// Request text quoted in an error message: at most 64 Unicode scalars of it (counting
    /// characters would not bound it: one character can hold any number of combining marks).
    package var truncatedForMessage: String {
        guard unicodeScalars.count > 64 else { return self }
        var shown = String.UnicodeScalarView()
        shown.append(contentsOf: unicodeScalars.prefix(64))
        return String(shown) + "..."
    }
}
