import Encoding
import JSON
import Kafka

/// Renders a consumed record as JSON: a value that is JSON is embedded as JSON, UTF-8 text as
/// a string, anything else as base64 with `"encoding":"base64"` (keys and headers likewise).
package enum RecordRenderer {
    package static func render(_ record: ConsumedRecordView, into writer: inout JSONWriter) {
        writer.appendLiteral("{\"partition\":")
        writer.writeInteger(record.partition)
        writer.appendLiteral(",\"offset\":")
        writer.writeInteger(record.offset)
        if let timestamp = record.timestampMs {
            writer.appendLiteral(",\"timestamp\":")
            writer.writeInteger(timestamp)
        }
        writer.appendLiteral(",\"key\":")
        writeBytes(record.key, encodingField: "key_encoding", asJSON: false, into: &writer)
        if record.hasHeaders {
            writer.appendLiteral(",\"headers\":[")
            var first = true
            record.forEachHeader { name, value in
                if !first { writer.appendLiteral(",") }
                first = false
                writer.appendLiteral("{\"key\":")
                writer.writeString(name)
                writer.appendLiteral(",\"value\":")
                writeBytes(value, encodingField: "encoding", asJSON: false, into: &writer)
                writer.appendLiteral("}")
            }
            writer.appendLiteral("]")
        }
        writer.appendLiteral(",\"value\":")
        writeBytes(record.value, encodingField: "encoding", asJSON: true, into: &writer)
        writer.appendLiteral("}")
    }

    /// Writes the value, then (after it) the encoding member when base64 was needed.
    private static func writeBytes(_ raw: UnsafeRawBufferPointer?, encodingField: String, asJSON: Bool, into writer: inout JSONWriter) {
        guard let raw else {
            writer.appendLiteral("null")
            return
        }
        let bytes = raw.bindMemory(to: UInt8.self)
        if asJSON, isJSONDocument(bytes) {
            writer.writeRaw(raw)
        } else if isValidUTF8(bytes) {
            writer.writeString(bytes: bytes)
        } else {
            writer.writeString(Base64.encode(Array(bytes)))
            writer.appendASCII(",\"\(encodingField)\":\"base64\"")
        }
    }

    /// The text `null` is returned as a string: as JSON it would read as a tombstone.
    private static func isJSONDocument(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        // Skip the parse for text that cannot start a JSON document (most plain-text payloads).
        guard let first = bytes.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }),
              canStartJSON(first) else { return false }
        // Validated without building it: no tree per record.
        guard JSONParser.isValid(bytes) else { return false }
        return !isNullLiteral(bytes)
    }
}

private func isNullLiteral(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
    guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else {
        return false
    }
    return bytes[first...last].elementsEqual("null".utf8)
}

private func canStartJSON(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "\""), UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"),
         UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
        return true
    default:
        return false
    }
}
