import Foundation

/// The Invoke API's `X-Amz-Client-Context` header: base64 of a JSON object.
public enum ClientContext {
    /// The JSON text Lambda passes to the runtime in `Lambda-Runtime-Client-Context`,
    /// or nil if the header is not base64 of a JSON object.
    public static func decode(base64 header: String) -> String? {
        guard let data = Data(base64Encoded: header.trimmingCharacters(in: .whitespaces)),
              (try? JSONSerialization.jsonObject(with: data)) is [String: Any]
        else { return nil }
        return String(data: data, encoding: .utf8)
    }
}
