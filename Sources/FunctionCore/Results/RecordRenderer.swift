import Encoding
import JSON
import Kafka

/// Renders a consumed record as JSON: a value that is JSON is embedded as JSON, UTF-8 text as
/// a string, anything else as base64 with `"encoding":"base64"` (keys and headers likewise).
package enum RecordRenderer {
    package static func render(_ record: ConsumedRecord, into writer: inout JSONWriter) {
        writer.appendASCII("{\"partition\":")
        writer.writeInteger(record.partition)
        writer.appendASCII(",\"offset\":")
        writer.writeInteger(record.offset)
        if let timestamp = record.timestampMs {
            writer.appendASCII(",\"timestamp\":")
            writer.writeInteger(timestamp)
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
        } else if bytes.withUnsafeBufferPointer(isValidUTF8) {
            writer.writeString(bytes: bytes)
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
        // Validated without building it: no tree per record.
        guard bytes.withUnsafeBufferPointer(JSONParser.isValid) else { return false }
        return !isNullLiteral(bytes)
    }
}

private func isNullLiteral(_ bytes: [UInt8]) -> Bool {
    let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
    guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else {
        return false
    }
    return bytes[first...last].elementsEqual("null".utf8)
}

private let jsonStartBytes = Set("{[\"-0123456789tfn".utf8)
