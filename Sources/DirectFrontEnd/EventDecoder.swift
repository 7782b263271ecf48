import FunctionCore
import JSON
import Kafka

/// Turns event bytes into an `ActionRequest`: the direct form `{"action": ...}` or an
/// EventBridge event whose `detail` holds that form.
package enum EventDecoder {
    package static let maximumSuppliedRecords = RecordsDecoder.maximumRecords
    /// `generate` sends one value buffer again and again, so its memory is bounded by librdkafka's
    /// queue whatever the total; the total is capped to keep one invocation's work bounded too.
    package static let maximumGeneratedBytes = 16 * 1024 * 1024
    /// The answer keeps one delivery report per generated record until it is rendered.
    package static let maximumGeneratedRecords = 100_000

    package static func decode(_ bytes: [UInt8]) throws(FunctionError) -> ActionRequest {
        try decode(try EventJSON.scan(bytes))
    }

    package static func decode(_ event: ScannedEvent) throws(FunctionError) -> ActionRequest {
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
            throw .invalidEvent("Field 'action' is required: one of \(ActionName.list(lastSeparator: ", "))")
        }
        guard let name = ActionName(rawValue: action) else {
            throw FunctionError(.unknownAction, "Unknown action '\(action.truncatedForMessage)': use \(ActionName.list(lastSeparator: " or "))")
        }
        let request: ActionRequest
        switch name {
        case .produce: request = .produce(try decodeProduce(&reader, records: event.records))
        case .consume: request = .consume(try ConsumeOptions.decode(&reader))
        case .offsets: request = .offsets(topic: try decodeTopic(&reader))
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
}
