import Kafka

/// Turns event bytes into an `ActionRequest`: the direct form `{"action": ...}` or an
/// EventBridge event whose `detail` holds that form.
enum EventDecoder {
    static let maximumSuppliedRecords = RecordsDecoder.maximumRecords
    /// `generate` sends one value buffer again and again, so its memory is bounded by librdkafka's
    /// queue whatever the total; the total is capped to keep one invocation's work bounded too.
    static let maximumGeneratedBytes = 16 * 1024 * 1024
    /// The answer keeps one delivery report per generated record until it is rendered.
    static let maximumGeneratedRecords = 100_000

    static func decode(_ bytes: [UInt8]) throws(FunctionError) -> ActionRequest {
        try decode(try scan(bytes))
    }

    /// Reads the event in one pass (see `ScannedEvent`).
    static func scan(_ bytes: [UInt8]) throws(FunctionError) -> ScannedEvent {
        do {
            return try ScannedEvent.scan(bytes)
        } catch {
            throw .invalidEvent("The event is not valid JSON: \(error)")
        }
    }

    /// The whole event as a tree (for API Gateway events, whose body is one string).
    static func parse(_ bytes: [UInt8]) throws(FunctionError) -> JSONValue {
        do {
            return try JSONParser.parse(bytes)
        } catch {
            throw .invalidEvent("The event is not valid JSON: \(error)")
        }
    }

    static func decode(_ event: ScannedEvent) throws(FunctionError) -> ActionRequest {
        try decodeAction(try unwrapEventBridge(event))
    }

    /// EventBridge wraps the action: a rule's constant input arrives as is, while a scheduled or
    /// custom event carries it in `detail`.
    private static func unwrapEventBridge(_ event: ScannedEvent) throws(FunctionError) -> ScannedEvent {
        let document = event.document
        guard case .object = document, document["detail-type"] != nil, document["source"] != nil else {
            return event
        }
        if let duplicate = document.firstDuplicateKey {
            throw .invalidEvent("The EventBridge event has the member '\(duplicate.truncatedForMessage)' more than once")
        }
        guard let detail = event.detail, detail.document["action"] != nil else {
            throw .invalidEvent(
                "The EventBridge event has no action in its 'detail'; set the rule's input to an action such as {\"action\":\"consume\",\"topic\":\"...\"}")
        }
        return detail
    }

    private static func decodeAction(_ event: ScannedEvent) throws(FunctionError) -> ActionRequest {
        var reader = try ObjectReader(event.document, path: "")
        guard let action = try reader.string("action") else {
            throw .invalidEvent("Field 'action' is required: one of produce, consume, offsets")
        }
        let request: ActionRequest
        switch action {
        case "produce": request = .produce(try decodeProduce(&reader, records: event.records))
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

    private static func decodeProduce(
        _ reader: inout ObjectReader, records decodedRecords: Result<SuppliedRecords, RecordsDecoder.Failure>?
    ) throws(FunctionError) -> ProduceRequest {
        let topic = try decodeTopic(&reader)
        let supplied = try reader.array("records")
        let generate = reader.value("generate")
        let records: ProduceRequest.Records
        switch (supplied, generate) {
        case (.some, .some):
            throw .invalidEvent("Fields 'records' and 'generate' cannot be used together")
        case (.some, nil):
            switch decodedRecords {
            case let .success(decoded)?:
                records = .supplied(decoded)
            case .failure(.empty)?, nil:
                throw .invalidEvent("Field 'records' must not be empty")
            case let .failure(.tooMany(count))?:
                throw .invalidEvent("Field 'records' has \(count) records; at most \(maximumSuppliedRecords) are accepted per event")
            case let .failure(.record(error))?:
                throw error
            }
        case let (nil, .some(spec)):
            var generator = try ObjectReader(spec, path: "generate")
            let count = try generator.integer("count", in: 1...Int64(maximumGeneratedRecords)) ?? 1000
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
