import Encoding
import FunctionCore
import JSON
import PostgresSink

/// A batch from a Lambda event source mapping for Kafka: Amazon MSK (`"eventSource": "aws:kafka"`) or
/// self-managed Kafka (`"SelfManagedKafka"`). `records` maps `topic-partition` to that partition's
/// records in offset order; keys and values are base64, header values arrays of byte values.
package struct KafkaSourceEvent {
    package enum Source: String {
        case msk = "aws:kafka"
        case selfManaged = "SelfManagedKafka"
    }

    package var source: Source
    package var records: [SinkRecord]

    package static let maximumRecords = 100_000
    private static let timestampTypes: Set<String> = ["CREATE_TIME", "LOG_APPEND_TIME", "NO_TIMESTAMP_TYPE"]

    package static func isSourceEvent(_ document: JSONValue) -> Bool {
        guard case let .string(source)? = document["eventSource"] else { return false }
        return Source(rawValue: source) != nil
    }

    package static func decode(_ document: JSONValue) throws(FunctionError) -> KafkaSourceEvent {
        var reader = try ObjectReader(document, path: "")
        let sourceName = try reader.requiredString("eventSource")
        guard let source = Source(rawValue: sourceName) else {
            throw .invalidEvent("Field 'eventSource' must be \"aws:kafka\" or \"SelfManagedKafka\"")
        }
        let arn = try reader.string("eventSourceArn")
        if source == .msk, arn == nil {
            throw .invalidEvent("Field 'eventSourceArn' is required for \"aws:kafka\" events")
        }
        _ = try reader.string("bootstrapServers")
        guard let batches = reader.value("records") else { throw .invalidEvent("Field 'records' is required") }
        guard case let .object(partitions) = batches else {
            throw .invalidEvent("Field 'records' must be an object of \"topic-partition\": [records], got \(batches.typeName)")
        }
        try reader.finish()
        var seen = Set<String>()
        var records: [SinkRecord] = []
        for (name, list) in partitions {
            guard seen.insert(name).inserted else {
                throw .invalidEvent("Field 'records.\(name.truncatedForMessage)' appears more than once")
            }
            let path = "records.\(name.truncatedForMessage)"
            guard case let .array(elements) = list else {
                throw .invalidEvent("Field '\(path)' must be an array, got \(list.typeName)")
            }
            guard records.count + elements.count <= maximumRecords else {
                throw .invalidEvent("Field 'records' holds more than \(maximumRecords) records")
            }
            for (index, element) in elements.enumerated() {
                let record = try decodeRecord(element, path: "\(path)[\(index)]")
                guard name == "\(record.topic)-\(record.partition)" else {
                    throw .invalidEvent(
                        "Field '\(path)[\(index)]' is from \(record.topic.truncatedForMessage)-\(record.partition), not \(name.truncatedForMessage)")
                }
                records.append(record)
            }
        }
        return KafkaSourceEvent(source: source, records: records)
    }

    private static func decodeRecord(_ value: JSONValue, path: String) throws(FunctionError) -> SinkRecord {
        var reader = try ObjectReader(value, path: path)
        let topic = try TopicName.validate(try reader.requiredString("topic"), field: reader.fieldPath("topic"))
        guard let partition = try reader.integer("partition", in: 0...Int64(Int32.max)) else {
            throw .invalidEvent("Field '\(reader.fieldPath("partition"))' is required")
        }
        guard let offset = try reader.integer("offset", in: 0...Int64.max) else {
            throw .invalidEvent("Field '\(reader.fieldPath("offset"))' is required")
        }
        let timestamp = try reader.integer("timestamp", in: -1...Int64(253_402_300_799_999))
        let timestampType = try reader.string("timestampType")
        if let timestampType, !timestampTypes.contains(timestampType) {
            throw .invalidEvent(
                "Field '\(reader.fieldPath("timestampType"))' must be CREATE_TIME, LOG_APPEND_TIME or NO_TIMESTAMP_TYPE")
        }
        let key = try base64(&reader, "key")
        let value = try base64(&reader, "value")
        let headers = try decodeHeaders(reader.array("headers") ?? [], path: reader.fieldPath("headers"))
        // Schema-registry metadata (ESM schema validation) is accepted and not stored.
        _ = reader.value("keySchemaMetadata")
        _ = reader.value("valueSchemaMetadata")
        try reader.finish()
        return SinkRecord(
            topic: topic, partition: Int32(partition), offset: offset, key: key,
            value: value.map(SinkValueClassifier.classify) ?? .tombstone, headersJSON: headers,
            timestampMilliseconds: timestamp.flatMap { $0 >= 0 ? $0 : nil },
            timestampType: timestampType == "NO_TIMESTAMP_TYPE" ? nil : timestampType)
    }

    private static func base64(_ reader: inout ObjectReader, _ name: String) throws(FunctionError) -> [UInt8]? {
        guard let text = try reader.string(name) else { return nil }
        guard let bytes = Base64.decode(text) else {
            throw .invalidEvent("Field '\(reader.fieldPath(name))' must be base64 (standard alphabet, padded)")
        }
        return bytes
    }

    /// `[{"name": [byte, ...]}, ...]` to the stored form `[{"key": "name", "value": "text"}, ...]`;
    /// a value that is not UTF-8 text is stored as `{"key": ..., "value_base64": ...}`.
    private static func decodeHeaders(_ elements: [JSONValue], path: String) throws(FunctionError) -> [UInt8] {
        var stored: [JSONValue] = []
        for (index, element) in elements.enumerated() {
            var entryPath: String { "\(path)[\(index)]" }
            guard case let .object(members) = element, members.count == 1, let member = members.first else {
                throw .invalidEvent("Field '\(entryPath)' must be an object with one header name")
            }
            guard case let .array(numbers) = member.value else {
                throw .invalidEvent("Field '\(entryPath).\(member.key.truncatedForMessage)' must be an array of byte values, got \(member.value.typeName)")
            }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(numbers.count)
            for (byteIndex, number) in numbers.enumerated() {
                // Java bytes are signed: -128...-1 are 128...255.
                let byte = try ObjectReader.integer(
                    number, path: "\(entryPath).\(member.key.truncatedForMessage)[\(byteIndex)]", in: -128...255)
                bytes.append(UInt8(truncatingIfNeeded: byte))
            }
            let name = String(member.key.unicodeScalars.map { $0 == "\0" ? "\u{FFFD}" : Character($0) })
            if let text = String(validating: bytes, as: UTF8.self), !bytes.contains(0) {
                stored.append(.object([("key", .string(name)), ("value", .string(text))]))
            } else {
                stored.append(.object([("key", .string(name)), ("value_base64", .string(Base64.encode(bytes)))]))
            }
        }
        return JSONWriter.serialize(.array(stored))
    }
}

/// Decides which column a value goes to: `jsonb` when PostgreSQL will take it as JSON, `bytea` otherwise.
package enum SinkValueClassifier {
    package static func classify(_ bytes: [UInt8]) -> SinkRecord.Value {
        guard let first = bytes.first(where: { !isJSONWhitespace($0) }), isJSONStart(first),
              bytes.withUnsafeBufferPointer(JSONParser.isValid), !containsEscapedNUL(bytes) else {
            return .bytes(bytes)
        }
        return .json(bytes)
    }

    private static func isJSONWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// Only documents (objects and arrays) and strings are worth a jsonb column; a bare number such as
    /// an ASCII counter is kept as bytes so it round-trips unchanged.
    private static func isJSONStart(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") || byte == UInt8(ascii: "\"")
    }

    /// jsonb refuses `\u0000`; such a value is stored as bytes rather than failing the batch.
    private static func containsEscapedNUL(_ bytes: [UInt8]) -> Bool {
        let needle = Array("\\u0000".utf8)
        guard bytes.count >= needle.count else { return false }
        var index = 0
        while index + needle.count <= bytes.count {
            if bytes[index] == needle[0], bytes[index + 1] == needle[1], Array(bytes[index..<index + needle.count]) == needle {
                return true
            }
            index += 1
        }
        return false
    }
}
