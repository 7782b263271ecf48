import Kafka

/// Renders a consumed record as JSON: a value that is JSON is embedded as JSON, UTF-8 text as
/// a string, anything else as base64 with `"encoding":"base64"` (keys and headers likewise).
enum RecordRenderer {
    static func render(_ record: ConsumedRecord, into writer: inout JSONWriter) {
        writer.appendASCII("{\"partition\":\(record.partition),\"offset\":\(record.offset)")
        if let timestamp = record.timestampMs {
            writer.appendASCII(",\"timestamp\":\(timestamp)")
        }
        writer.appendASCII(",\"key\":")
        writeBytes(record.key, encodingField: "key_encoding", asJSON: false, into: &writer)
        if !record.headers.isEmpty {
            writer.appendASCII(",\"headers\":[")
            for (index, header) in record.headers.enumerated() {
                if index > 0 { writer.appendASCII(",") }
                writer.appendASCII("{\"key\":")
                writer.writeString(header.0)
                writer.appendASCII(",\"value\":")
                writeBytes(header.1, encodingField: "encoding", asJSON: false, into: &writer)
                writer.appendASCII("}")
            }
            writer.appendASCII("]")
        }
        writer.appendASCII(",\"value\":")
        writeBytes(record.value, encodingField: "encoding", asJSON: true, into: &writer)
        writer.appendASCII("}")
    }

    /// Writes the value, then (after it) the encoding member when base64 was needed.
    private static func writeBytes(_ bytes: [UInt8]?, encodingField: String, asJSON: Bool, into writer: inout JSONWriter) {
        guard let bytes else {
            writer.appendASCII("null")
            return
        }
        if asJSON, isJSONDocument(bytes) {
            writer.writeRaw(bytes)
        } else if let text = String(validating: bytes, as: UTF8.self) {
            writer.writeString(text)
        } else {
            writer.writeString(Base64.encode(bytes))
            writer.appendASCII(",\"\(encodingField)\":\"base64\"")
        }
    }

    /// The text `null` is returned as a string: as JSON it would read as a tombstone.
    private static func isJSONDocument(_ bytes: [UInt8]) -> Bool {
        // Skip the parse for text that cannot start a JSON document (most plain-text payloads).
        guard let first = bytes.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }),
              jsonStartBytes.contains(first) else { return false }
        guard let document = try? JSONParser.parse(bytes) else { return false }
        return document != .null
    }
}

private let jsonStartBytes = Set("{[\"-0123456789tfn".utf8)
