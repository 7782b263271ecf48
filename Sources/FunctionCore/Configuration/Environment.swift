import Encoding
import JSON

/// The one reader of the process environment: every variable the function uses becomes a typed
/// value here, once, at start. A bad value is a `ConfigurationError` naming the variable, which
/// the runtime reports as an init error (`Function.InvalidConfiguration`, "VARIABLE: reason").
package struct Environment {
    private let values: [String: String]

    package init(_ values: [String: String]) {
        self.values = values
    }

    /// The raw value, untrimmed (passwords are taken as given).
    package func raw(_ name: String) -> String? {
        values[name]
    }

    /// The value without surrounding white space; nil when unset or blank.
    package func text(_ name: String) -> String? {
        guard let value = values[name] else { return nil }
        let trimmed = value.trimmingWhiteSpace
        return trimmed.isEmpty ? nil : trimmed
    }

    package func required(_ name: String, _ hint: String) throws(ConfigurationError) -> String {
        guard let value = text(name) else { throw ConfigurationError(name, "is required (\(hint))") }
        return value
    }

    /// `true`/`false` (and, where `acceptsDigits`, `1`/`0`), any case; `defaultValue` when unset or blank.
    package func flag(_ name: String, default defaultValue: Bool, acceptsDigits: Bool = false) throws(ConfigurationError) -> Bool {
        switch text(name)?.lowercased() {
        case nil: return defaultValue
        case "true": return true
        case "false": return false
        case "1" where acceptsDigits: return true
        case "0" where acceptsDigits: return false
        case let other?: throw ConfigurationError(name, "must be 'true' or 'false', not '\(other.prefix(32))'")
        }
    }

    package func integer(_ name: String, in range: ClosedRange<Int64>, default defaultValue: Int64) throws(ConfigurationError) -> Int64 {
        guard let text = text(name) else { return defaultValue }
        guard let number = IntegerText.value(text, in: range) else {
            throw ConfigurationError(name, "must be an integer from \(range.lowerBound) to \(range.upperBound), got '\(text.prefix(32))'")
        }
        return number
    }

    /// Every variable whose name starts with `prefix`, sorted by name.
    package func variables(withPrefix prefix: String) -> [(name: String, value: String)] {
        values.filter { $0.key.hasPrefix(prefix) }.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
    }

    /// The dictionary, for libraries that take one (the AWS credential chain reads its own variables).
    package var dictionary: [String: String] { values }
}

/// A variable with a value the function cannot use; the message never quotes a secret.
package struct ConfigurationError: Error, CustomStringConvertible {
    package var variable: String
    package var message: String

    package init(_ variable: String, _ message: String) {
        self.variable = variable
        self.message = message
    }

    package var description: String { "\(variable): \(message)" }

    package var functionError: FunctionError { FunctionError(.invalidConfiguration, description) }
}

extension String {
    package var trimmingWhiteSpace: String {
        var view = Substring(self)
        while let first = view.first, first.isWhitespace { view.removeFirst() }
        while let last = view.last, last.isWhitespace { view.removeLast() }
        return String(view)
    }
}
