@testable import EventSourceFrontEnd
@testable import FunctionCore
@testable import JSON
import Encoding
import PostgresSink
import Testing

/// The one-pass event source decoder must answer what the tree decoder it replaced answered: the
/// same records, or the same error, for every batch. `TreeSourceRecords` is that decoder, kept here
/// as the reference (it built the whole `records` object as a tree first).
@Suite struct SourceRecordsDecoderTests {
    static let good: [(String, String)] = [
        ("topic", #""orders""#), ("partition", "1"), ("offset", "7"), ("timestamp", "1000"),
        ("timestampType", #""CREATE_TIME""#), ("key", #""azE=""#), ("value", #""eyJhIjoxfQ==""#),
        ("headers", #"[{"h":[104,105]},{"b":[-1,0]}]"#),
    ]

    static let replacements = [
        "null", "true", "0", "-1", "1.5", "1e3", "-0", "2147483648", "99999999999999999999", "253402300800000",
        #""""#, #""x""#, #""orders""#, #""a\u0041""#, #""../x""#, #""not base64!""#, #""eyJhIjoxfQ==""#, #""AAE=""#,
        #""CREATE_TIME""#, #""NO_TIMESTAMP_TYPE""#, #""NOW""#, "[]", "{}", "[7]", "[{}]", #"[{"h":[1],"g":[2]}]"#,
        #"[{"h":"x"}]"#, #"[{"h":["1"]}]"#, #"[{"h":[-129]}]"#, #"[{"h":[256]}]"#, #"[{"h":[1.0]}]"#,
        #"[{"h\u0000":[104]}]"#, #"[{"h":[255,0]}]"#, #"[{"h":[226,130,172]}]"#, #"[{"h":[]}]"#, #"[null]"#,
    ]

    /// Every field replaced by every value, removed, repeated, plus unknown and schema members.
    static var records: [String] {
        var variants: [String] = []
        func text(_ members: [(String, String)]) -> String {
            "{" + members.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
        }
        variants.append(text(good))
        for (index, member) in good.enumerated() {
            for replacement in replacements {
                var members = good
                members[index].1 = replacement
                variants.append(text(members))
            }
            variants.append(text(good.filter { $0.0 != member.0 }))
            variants.append(text(good + [member]))
        }
        variants.append(text(good + [("extra", "1")]))
        variants.append(text([("zzz", "1")] + good + [("keySchemaMetadata", "{}")]))
        variants.append(text(good + [("valueSchemaMetadata", #"{"schemaId":"1"}"#), ("valueSchemaMetadata", "null")]))
        variants.append(text([("partition", "x1")].map { ($0.0, "\"\($0.1)\"") } + [("topic", "1")]))
        return variants + ["7", "[]", "null", #""r""#]
    }

    static var batches: [String] {
        let record = Self.records[0]
        var batches = Self.records.map { #"{"orders-1":[\#(record),\#($0)]}"# }
        batches += [
            #"{"orders-2":[\#(record)]}"#, #"{"orders-1":[]}"#, #"{}"#, #"{"orders-1":{}}"#, #"{"orders-1":null}"#,
            #"{"orders-1":[\#(record)],"orders-1":[\#(record)]}"#, #"{"orders-1":[\#(record)],"other-1":[{"topic":1}]}"#,
            #"{"orders-1":[{"topic":1}],"other-1":7}"#, #"{"orders-1":[\#(record),7],"orders-1":[]}"#,
        ]
        return batches
    }

    @Test func everyBatchGetsTheTreeDecodersAnswer() throws {
        var accepted = 0
        var refused = 0
        for records in Self.batches {
            let event = #"{"eventSource":"SelfManagedKafka","bootstrapServers":"b:9092","records":\#(records)}"#
            let bytes = Array(event.utf8)
            let expected: Result<[SinkRecord], FunctionError>
            do {
                expected = .success(try TreeSourceRecords.decode(try JSONParser.parse(bytes)))
            } catch let error as FunctionError {
                expected = .failure(error)
            }
            let actual: Result<[SinkRecord], FunctionError>
            do {
                actual = .success(try KafkaSourceEvent.decode(try EventJSON.scan(bytes), bytes: bytes).records)
            } catch {
                actual = .failure(error)
            }
            switch (expected, actual) {
            case let (.success(tree), .success(onePass)):
                accepted += 1
                #expect(tree.count == onePass.count, "\(records)")
                for (a, b) in zip(tree, onePass) {
                    #expect(a.topic == b.topic && a.partition == b.partition && a.offset == b.offset && a.key == b.key
                        && a.value == b.value && a.headersJSON == b.headersJSON && a.timestampMilliseconds == b.timestampMilliseconds
                        && a.timestampType == b.timestampType, "\(records)")
                }
            case let (.failure(tree), .failure(onePass)):
                refused += 1
                #expect(tree.errorMessage == onePass.errorMessage, "\(records)")
                #expect(tree.kind == onePass.kind)
            default:
                Issue.record("tree: \(expected), one pass: \(actual) for \(records)")
            }
        }
        // Both sides of every rule are exercised.
        #expect(accepted > 30 && refused > 250, "accepted \(accepted), refused \(refused)")
    }
}

/// The decoder the event source front-end used before it read records in one pass (the reference).
enum TreeSourceRecords {
    static func decode(_ document: JSONValue) throws(FunctionError) -> [SinkRecord] {
        guard case let .object(partitions)? = document["records"] else { throw .invalidEvent("test events have records") }
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
            for (index, element) in elements.enumerated() {
                let record = try decodeRecord(element, path: "\(path)[\(index)]")
                guard name == "\(record.topic)-\(record.partition)" else {
                    throw .invalidEvent(
                        "Field '\(path)[\(index)]' is from \(record.topic.truncatedForMessage)-\(record.partition), not \(name.truncatedForMessage)")
                }
                records.append(record)
            }
        }
        return records
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
        if let timestampType, !["CREATE_TIME", "LOG_APPEND_TIME", "NO_TIMESTAMP_TYPE"].contains(timestampType) {
            throw .invalidEvent(
                "Field '\(reader.fieldPath("timestampType"))' must be CREATE_TIME, LOG_APPEND_TIME or NO_TIMESTAMP_TYPE")
        }
        let key = try base64(&reader, "key")
        let value = try base64(&reader, "value")
        let headers = try decodeHeaders(reader.array("headers") ?? [], path: reader.fieldPath("headers"))
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

    private static func decodeHeaders(_ elements: [JSONValue], path: String) throws(FunctionError) -> [UInt8] {
        var stored: [JSONValue] = []
        for (index, element) in elements.enumerated() {
            let entryPath = "\(path)[\(index)]"
            guard case let .object(members) = element, members.count == 1, let member = members.first else {
                throw .invalidEvent("Field '\(entryPath)' must be an object with one header name")
            }
            guard case let .array(numbers) = member.value else {
                throw .invalidEvent("Field '\(entryPath).\(member.key.truncatedForMessage)' must be an array of byte values, got \(member.value.typeName)")
            }
            var bytes: [UInt8] = []
            for (byteIndex, number) in numbers.enumerated() {
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
