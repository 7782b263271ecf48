import Foundation

/// Parses a JSON object with Foundation, an implementation independent of the one under test.
func parseJSONObject(_ text: String) throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    guard let dictionary = object as? [String: Any] else {
        throw CocoaError(.coderReadCorrupt)
    }
    return dictionary
}
