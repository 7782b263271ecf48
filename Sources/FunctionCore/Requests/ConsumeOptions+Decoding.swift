import Kafka
import JSON

extension ConsumeOptions {
    /// Reads a consume request's members (a direct event's, or an HTTP query's turned into JSON).
    package static func decode(_ reader: inout ObjectReader) throws(FunctionError) -> ConsumeOptions {
        let topic = try TopicName.validate(try reader.requiredString("topic"), field: "topic")
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
