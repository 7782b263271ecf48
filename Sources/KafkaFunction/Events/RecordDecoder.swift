import Kafka

/// One record of a produce event: `value` (any JSON; a string is sent as its UTF-8 text, other
/// JSON as its compact serialisation, null as a tombstone), optional `key`, `headers`,
/// `partition`, and `encoding: "base64"` for binary values.
enum RecordDecoder {
    static func decode(_ element: JSONValue, path: String) throws(FunctionError) -> OutgoingRecord {
        var reader = try ObjectReader(element, path: path)
        guard let rawValue = valueMember(&reader) else {
            throw .invalidEvent("Field '\(reader.fieldPath("value"))' is required (use null for a tombstone)")
        }
        let encoding = try reader.string("encoding")
        let value: [UInt8]?
        switch (rawValue, encoding) {
        case (.null, _): value = nil
        case let (.string(text), "base64"):
            guard let bytes = Base64.decode(text) else {
                throw .invalidEvent("Field '\(reader.fieldPath("value"))' is not valid base64")
            }
            value = bytes
        case (_, "base64"):
            throw .invalidEvent("Field '\(reader.fieldPath("value"))' must be a string when 'encoding' is base64")
        case let (.string(text), nil): value = Array(text.utf8)
        case let (json, nil): value = JSONWriter.serialize(json)
        case let (_, .some(other)):
            throw .invalidEvent("Field '\(reader.fieldPath("encoding"))' must be \"base64\", got \"\(other.truncatedForMessage)\"")
        }
        let key = try reader.string("key").map { Array($0.utf8) }
        let partition = try reader.integer("partition", in: 0...Int64(Int32.max)).map { Int32($0) }
        let headers = try decodeHeaders(reader.value("headers"), path: reader.fieldPath("headers"))
        try reader.finish()
        return OutgoingRecord(key: key, value: value, headers: headers, partition: partition)
    }

    /// Distinguishes a member that is absent from one that is JSON null.
    private static func valueMember(_ reader: inout ObjectReader) -> JSONValue? {
        reader.value("value") ?? (reader.hasMember("value") ? .null : nil)
    }

    /// Headers as an object of strings, or as an array of `{"key","value"}` (which allows repeats).
    private static func decodeHeaders(_ value: JSONValue?, path: String) throws(FunctionError) -> [(String, [UInt8])] {
        switch value {
        case nil:
            return []
        case let .object(members)?:
            return try members.map { member throws(FunctionError) in
                guard case let .string(text) = member.value else {
                    throw .invalidEvent("Field '\(path).\(member.key.truncatedForMessage)' must be a string, got \(member.value.typeName)")
                }
                return (try headerKey(member.key, path: path), Array(text.utf8))
            }
        case let .array(elements)?:
            var headers: [(String, [UInt8])] = []
            for (index, element) in elements.enumerated() {
                var header = try ObjectReader(element, path: "\(path)[\(index)]")
                let key = try headerKey(header.requiredString("key"), path: header.fieldPath("key"))
                let text = try header.string("value") ?? ""
                try header.finish()
                headers.append((key, Array(text.utf8)))
            }
            return headers
        case let other?:
            throw .invalidEvent("Field '\(path)' must be an object or an array, got \(other.typeName)")
        }
    }

    /// librdkafka keeps header names as C strings (a NUL cuts them), and a CR or LF would split a
    /// header line wherever the name is shown again (the REST proxy, logs).
    private static func headerKey(_ key: String, path: String) throws(FunctionError) -> String {
        guard !key.utf8.contains(where: { $0 == 0 || $0 == 0x0d || $0 == 0x0a }) else {
            throw .invalidEvent("Field '\(path)' has a header key with a NUL, CR or LF character; header keys must not contain them")
        }
        return key
    }
}
