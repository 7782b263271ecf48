#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The process environment as a dictionary, so providers can be given another one in tests.
public enum ProcessEnvironment {
    public static var current: [String: String] {
        var result: [String: String] = [:]
        #if canImport(Darwin)
        guard let entries = _NSGetEnviron()?.pointee else { return result }
        #else
        guard let entries = environ as UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? else { return result }
        #endif
        var index = 0
        while let entry = entries[index] {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            index += 1
        }
        return result
    }
}

extension Dictionary where Key == String, Value == String {
    /// The value, or `nil` when unset or empty (the SDKs treat both alike).
    func nonEmpty(_ name: String) -> String? {
        guard let value = self[name], !value.isEmpty else { return nil }
        return value
    }
}
