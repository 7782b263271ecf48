import Kafka

/// Turns event bytes into an `ActionRequest`: the direct form `{"action": ...}` or an
/// EventBridge event whose `detail` holds that form.
enum EventDecoder {
    static let maximumSuppliedRecords = 50_000
    static let maximumGeneratedBytes = 256 * 1024 * 1024

    static func decode(_ bytes: [UInt8]) throws(FunctionError) -> ActionRequest {
        try decode(try parse(bytes))
    }

    static func parse(_ bytes: [UInt8]) throws(FunctionError) -> JSONValue {
        do {
            return try JSONParser.parse(bytes)
        } catch {
            throw .invalidEvent("The event is not valid JSON: \(error)")
        }
    }

    static func decode(_ document: JSONValue) throws(FunctionError) -> ActionRequest {
        try decodeAction(try unwrapEventBridge(document))
    }

    /// EventBridge wraps the action: a rule's constant input arrives as is, while a scheduled or
    /// custom event carries it in `detail`.
    private static func unwrapEventBridge(_ document: JSONValue) throws(FunctionError) -> JSONValue {
        guard case .object = document, document["detail-type"] != nil, document["source"] != nil else {
            return document
        }
        if let duplicate = document.firstDuplicateKey {
            throw .invalidEvent("The EventBridge event has the member '\(duplicate.truncatedForMessage)' more than once")
        }
        guard let detail = document["detail"], case .object = detail, detail["action"] != nil else {
            throw .invalidEvent(
                "The EventBridge event has no action in its 'detail'; set the rule's input to an action such as {\"action\":\"consume\",\"topic\":\"...\"}")
        }
        return detail
    }

    private static func decodeAction(_ document: JSONValue) throws(FunctionError) -> ActionRequest {
        var reader = try ObjectReader(document, path: "")
        guard let action = try reader.string("action") else {
            throw .invalidEvent("Field 'action' is required: one of produce, consume, offsets")
        }
        let request: ActionRequest
        switch action {
        case "produce": request = .produce(try decodeProduce(&reader))
        case "consume": request = .consume(try decodeConsume(&reader))
        case "offsets": request = .offsets(topic: try decodeTopic(&reader))
        default:
            throw FunctionError(.unknownAction, "Unknown action '\(action.truncatedForMessage)': use produce, consume or offsets")
        }
        try reader.finish()
        return request
    }

    private static func decodeTopic(_ reader: inout ObjectReader) throws(FunctionError) -> String {
        try TopicName.validate(try reader.requiredString("topic"), field: "topic")
    }

    private static func decodeProduce(_ reader: inout ObjectReader) throws(FunctionError) -> ProduceRequest {
        let topic = try decodeTopic(&reader)
        let supplied = try reader.array("records")
        let generate = reader.value("generate")
        let records: ProduceRequest.Records
        switch (supplied, generate) {
        case (.some, .some):
            throw .invalidEvent("Fields 'records' and 'generate' cannot be used together")
        case let (.some(elements), nil):
            guard !elements.isEmpty else { throw .invalidEvent("Field 'records' must not be empty") }
            guard elements.count <= maximumSuppliedRecords else {
                throw .invalidEvent("Field 'records' has \(elements.count) records; at most \(maximumSuppliedRecords) are accepted per event")
            }
            var decoded: [OutgoingRecord] = []
            decoded.reserveCapacity(elements.count)
            for (index, element) in elements.enumerated() {
                decoded.append(try RecordDecoder.decode(element, path: "records[\(index)]"))
            }
            records = .supplied(decoded)
        case let (nil, .some(spec)):
            var generator = try ObjectReader(spec, path: "generate")
            let count = try generator.integer("count", in: 1...1_000_000) ?? 1000
            let valueBytes = try generator.integer("value_bytes", in: 0...1_000_000) ?? 100
            try generator.finish()
            guard count * valueBytes <= Int64(maximumGeneratedBytes) else {
                throw .invalidEvent("Field 'generate' asks for more than \(maximumGeneratedBytes) bytes in total")
            }
            records = .generated(count: Int(count), valueBytes: Int(valueBytes))
        case (nil, nil):
            records = .samples
        }
        return ProduceRequest(
            topic: topic,
            records: records,
            numPartitions: Int32(try reader.integer("num_partitions", in: 1...100_000) ?? 3),
            replicationFactor: Int16(try reader.integer("replication_factor", in: -1...32767) ?? -1),
            createTopic: try reader.bool("create_topic") ?? true)
    }

    static func decodeConsume(_ reader: inout ObjectReader) throws(FunctionError) -> ConsumeOptions {
        let topic = try decodeTopic(&reader)
        let start = try decodeStart(reader.value("from"))
        let partition = try reader.integer("partition", in: 0...Int64(Int32.max)).map { Int32($0) }
        let groupID = try reader.string("group_id")
        if let groupID, groupID.isEmpty || groupID.utf8.count > 255 {
            throw .invalidEvent("Field 'group_id' must be 1 to 255 characters")
        }
        if groupID != nil, partition != nil {
            throw .invalidEvent("Fields 'group_id' and 'partition' cannot be used together: a group reads every partition it is assigned")
        }
        var options = ConsumeOptions(
            topic: topic,
            start: start,
            partition: partition,
            groupID: groupID,
            maxRecords: Int(try reader.integer("max_records", in: 1...100_000) ?? 1000),
            timeoutMilliseconds: try reader.integer("timeout_ms", in: 0...900_000))
        options.stream = try reader.bool("stream") ?? false
        return options
    }

    private static func decodeStart(_ value: JSONValue?) throws(FunctionError) -> StartPosition {
        switch value {
        case nil, .string("beginning"): return .beginning
        case .string("end"): return .end
        case let .some(.number(text)):
            return .offset(try ObjectReader.integer(.number(text), path: "from", in: 0...Int64.max))
        default:
            throw .invalidEvent("Field 'from' must be \"beginning\", \"end\" or an offset (an integer of at least 0)")
        }
    }
}
