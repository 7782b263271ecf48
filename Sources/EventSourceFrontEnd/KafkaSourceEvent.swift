import Encoding
import FunctionCore
import JSON
import PostgresSink

/// A batch from a Lambda event source mapping for Kafka: Amazon MSK (`"eventSource": "aws:kafka"`) or
/// self-managed Kafka (`"SelfManagedKafka"`), with its records read into memory (tests and the
/// fuzzing probe; the front-end hands them to the sink one at a time through `KafkaSourceBatch`).
package struct KafkaSourceEvent {
    package typealias Source = KafkaSourceBatch.Source

    package var source: Source
    package var records: [SinkRecord]

    package static let maximumRecords = 100_000

    package static func isSourceEvent(_ document: JSONValue) -> Bool {
        guard case let .string(source)? = document["eventSource"] else { return false }
        return Source(rawValue: source) != nil
    }

    package static func decode(_ event: ScannedEvent, bytes: [UInt8]) throws(FunctionError) -> KafkaSourceEvent {
        try KafkaSourceEvent(try KafkaSourceBatch.decode(event, bytes: bytes))
    }

    package static func decode(_ document: JSONValue) throws(FunctionError) -> KafkaSourceEvent {
        try KafkaSourceEvent(try KafkaSourceBatch.decode(document))
    }

    private init(_ batch: KafkaSourceBatch) throws(FunctionError) {
        var records: [SinkRecord] = []
        _ = try batch.forEachRecord { records.append($0) }
        self.source = batch.source
        self.records = records
    }
}

/// A batch from a Lambda event source mapping for Kafka whose members other than `records` are
/// checked (`ObjectReader`); `records` maps `topic-partition` to that partition's records in offset
/// order (keys and values base64, header values arrays of byte values), and is read from the
/// event's bytes one record at a time (`SourceRecordsDecoder`), never as a tree.
package struct KafkaSourceBatch {
    package enum Source: String {
        case msk = "aws:kafka"
        case selfManaged = "SelfManagedKafka"
    }

    package let source: Source
    /// The bytes holding the `records` object, and where it is in them.
    private let bytes: [UInt8]
    private let recordsRange: Range<Int>

    /// Checks the event's members; the records are read by `forEachRecord`.
    package static func decode(_ event: ScannedEvent, bytes: [UInt8]) throws(FunctionError) -> KafkaSourceBatch {
        let source = try checkedSource(event.document)
        // A records member that is not an object stays in the tree, and `checkedSource` refused it.
        guard let range = event.recordsObject else { throw .invalidEvent("Field 'records' is required") }
        return KafkaSourceBatch(source: source, bytes: bytes, recordsRange: range)
    }

    /// The same from a tree: its records are serialised and read the same way.
    package static func decode(_ document: JSONValue) throws(FunctionError) -> KafkaSourceBatch {
        let source = try checkedSource(document)
        let records = JSONWriter.serialize(document["records"] ?? .object([]))
        return KafkaSourceBatch(source: source, bytes: records, recordsRange: 0..<records.count)
    }

    /// Reads the records in event order, handing each to `body` as soon as it is read.
    /// - Returns: how many records the batch holds.
    /// - Throws: the first record that breaks a rule (`body` may have had earlier records by then).
    package func forEachRecord(_ body: (SinkRecord) -> Void) throws(FunctionError) -> Int {
        try bytes.withUnsafeBufferPointer { buffer throws(FunctionError) in
            try SourceRecordsDecoder.decode(buffer, range: recordsRange, emit: body)
        }
    }

    private static func checkedSource(_ document: JSONValue) throws(FunctionError) -> Source {
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
        guard case .object = batches else {
            throw .invalidEvent("Field 'records' must be an object of \"topic-partition\": [records], got \(batches.typeName)")
        }
        try reader.finish()
        return source
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
        let needle: [UInt8] = Array("\\u0000".utf8)
        return bytes.withUnsafeBufferPointer { bytes in
            guard bytes.count >= needle.count else { return false }
            for index in 0...(bytes.count - needle.count) where bytes[index] == UInt8(ascii: "\\") {
                if needle.indices.allSatisfy({ bytes[index + $0] == needle[$0] }) { return true }
            }
            return false
        }
    }
}
