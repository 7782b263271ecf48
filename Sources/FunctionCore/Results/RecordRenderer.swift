import Encoding
import JSON
import Kafka

/// Renders a consumed record as JSON: a value that is JSON is embedded as JSON, UTF-8 text as
/// a string, anything else as base64 with `"encoding":"base64"` (keys and headers likewise).
package enum RecordRenderer {
    package static func render(_ record: ConsumedRecordView, into writer: inout JSONWriter) {
        if renderPlain(record, into: &writer) { return }
        // The fixed members are formatted on the stack and appended in one step.
        withStackCursor { cursor in
            putFixedMembers(record, into: &cursor)
            writer.writeRaw(UnsafeRawBufferPointer(start: cursor.base, count: cursor.count))
        }
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

    /// `{"partition":P,"offset":O[,"timestamp":T],"key":` of every rendered record.
    private static func putFixedMembers(_ record: ConsumedRecordView, into cursor: inout ByteCursor) {
        cursor.put("{\"partition\":")
        cursor.put(Int64(record.partition))
        cursor.put(",\"offset\":")
        cursor.put(record.offset)
        if let timestamp = record.timestampMs {
            cursor.put(",\"timestamp\":")
            cursor.put(timestamp)
        }
        cursor.put(",\"key\":")
    }

    /// Most records: no headers, a key and a value of printable ASCII that needs no escape, the
    /// value not readable as JSON. Such a record is written into one buffer on the stack, straight
    /// from librdkafka's message, and appended once. False (nothing written) for any other record.
    private static func renderPlain(_ record: ConsumedRecordView, into writer: inout JSONWriter) -> Bool {
        let key = record.key.map { $0.bindMemory(to: UInt8.self) }
        let value = record.value.map { $0.bindMemory(to: UInt8.self) }
        if let key, !isPlainText(key) { return false }
        if let value {
            guard isPlainText(value) else { return false }
            if let first = value.first, first == 0x20 || canStartJSON(first) { return false }
        }
        guard !record.hasHeaders else { return false }
        // The fixed members at their widest, the two strings quoted (or null), the labels between.
        let capacity = 128 + (key?.count ?? 0) + (value?.count ?? 0)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buffer in
            guard let base = buffer.baseAddress else { return }
            var cursor = ByteCursor(base)
            putFixedMembers(record, into: &cursor)
            cursor.putQuotedOrNull(key)
            cursor.put(",\"value\":")
            cursor.putQuotedOrNull(value)
            cursor.put("}")
            writer.writeRaw(UnsafeRawBufferPointer(start: base, count: cursor.count))
        }
        return true
    }

    /// Printable ASCII without `"` or `\`: valid UTF-8 that a JSON string carries as it is.
    private static func isPlainText(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = ASCIIWords.plainPrefixEnd(bytes, from: 0)
        while index < bytes.count {
            let byte = bytes[index]
            guard byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") else { return false }
            index += 1
        }
        return true
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
