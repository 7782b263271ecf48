import Encoding
import Logging

/// Renders one log record as one line (without the newline), in Lambda's text or JSON format.
public struct LogLineFormatter: Sendable {
    public var format: LogFormat

    /// The metadata key that carries the invocation's request id.
    public static let requestIDKey = "requestId"
    private static let reservedJSONKeys: Set<String> = ["timestamp", "level", "message", requestIDKey]

    public init(format: LogFormat) {
        self.format = format
    }

    public func line(
        epochMilliseconds: Int64, level: Logger.Level, message: String, requestID: String?, metadata: Logger.Metadata
    ) -> String {
        let timestamp = ISO8601.format(epochMilliseconds: epochMilliseconds, milliseconds: true)
        let keys = metadata.keys.filter { $0 != Self.requestIDKey }.sorted()
        switch format {
        case .text:
            var line = "\(timestamp) \(level.lambdaName)"
            if let requestID { line += " \(requestID)" }
            line += " \(message)"
            for key in keys {
                if let value = metadata[key] { line += " \(key)=\(value)" }
            }
            return line
        case .json:
            var line = "{\"timestamp\":\"\(timestamp)\",\"level\":\"\(level.lambdaName)\",\"message\":\(JSONString.quoted(message))"
            if let requestID { line += ",\"requestId\":\(JSONString.quoted(requestID))" }
            for key in keys {
                guard let value = metadata[key] else { continue }
                let name = Self.reservedJSONKeys.contains(key) ? "metadata.\(key)" : key
                line += ",\(JSONString.quoted(name)):\(Self.json(value))"
            }
            return line + "}"
        }
    }

    private static func json(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let text):
            return JSONString.quoted(text)
        case .stringConvertible(let convertible):
            return JSONString.quoted(convertible.description)
        case .array(let values):
            return "[" + values.map(json).joined(separator: ",") + "]"
        case .dictionary(let entries):
            let members = entries.keys.sorted().compactMap { key in
                entries[key].map { "\(JSONString.quoted(key)):\(json($0))" }
            }
            return "{" + members.joined(separator: ",") + "}"
        }
    }
}
