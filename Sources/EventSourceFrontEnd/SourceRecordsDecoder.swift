import FunctionCore
import JSON
import PostgresSink

/// Reads an event source mapping batch's `records` object (`"topic-partition": [record, ...]`)
/// straight from the event's bytes in one pass, handing each record on as soon as it is read: no
/// tree is built, so memory grows with the rows, not with the JSON values of the event.
///
/// The bytes were already validated as JSON (`ScannedEvent.recordsObject`), so every error here is
/// about the batch's shape. The checks, their order and their messages are those of a strict
/// member-by-member reading (`ObjectReader`): the first record that breaks a rule, in event order,
/// is the error, and within a record the fields are checked in a fixed order (`SourceRecordReader`).
enum SourceRecordsDecoder {
    /// Reads the object at `range` of `bytes`; `emit` gets each record in event order, and may have
    /// had some when a later record turns out to be invalid (the caller then discards the batch).
    /// - Returns: how many records the batch holds.
    static func decode(
        _ bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>, emit: (SinkRecord) -> Void
    ) throws(FunctionError) -> Int {
        var scanner = JSONScanner(UnsafeBufferPointer(rebasing: bytes[..<range.upperBound]), position: range.lowerBound)
        var failure: FunctionError?
        var seen = Set<String>()
        var total = 0
        do {
            try scanner.readObject(depth: 2) { scanner, name throws(JSONParser.Error) in
                guard failure == nil else {
                    try scanner.skipValue(depth: 2)
                    return
                }
                failure = try readPartition(&scanner, name: name, seen: &seen, total: &total, emit: emit)
            }
        } catch {
            // Not reached: the scan before validated these bytes.
            throw .invalidEvent("The event is not valid JSON: \(error)")
        }
        if let failure { throw failure }
        return total
    }

    /// One `"topic-partition": [...]` member; returns the first problem it has.
    private static func readPartition(
        _ scanner: inout JSONScanner, name: String, seen: inout Set<String>, total: inout Int, emit: (SinkRecord) -> Void
    ) throws(JSONParser.Error) -> FunctionError? {
        guard seen.insert(name).inserted else {
            try scanner.skipValue(depth: 2)
            return .invalidEvent("Field 'records.\(name.truncatedForMessage)' appears more than once")
        }
        let path = "records.\(name.truncatedForMessage)"
        guard scanner.current == UInt8(ascii: "[") else {
            let type = scanner.typeNameOfCurrentValue
            try scanner.skipValue(depth: 2)
            return .invalidEvent("Field '\(path)' must be an array, got \(type)")
        }
        var count = 0
        var problem: FunctionError?
        // The last topic-partition a record matched `name` with: the comparison is made once.
        var matched: (topic: String, partition: Int32)?
        var topics = TopicCache()
        let limit = KafkaSourceEvent.maximumRecords - total
        try scanner.readArray(depth: 3) { scanner, index throws(JSONParser.Error) in
            count += 1
            // Past the limit the list is only counted: too many records is the error then.
            guard problem == nil, count <= limit else {
                try scanner.skipValue(depth: 3)
                return
            }
            var reader = SourceRecordReader()
            switch try reader.read(&scanner, depth: 3, topics: &topics, path: { "\(path)[\(index)]" }) {
            case let .failure(error):
                problem = error
            case let .success(record):
                if let matched, matched.topic == record.topic, matched.partition == record.partition {
                    emit(record)
                } else if name == "\(record.topic)-\(record.partition)" {
                    matched = (record.topic, record.partition)
                    emit(record)
                } else {
                    problem = .invalidEvent(
                        "Field '\(path)[\(index)]' is from \(record.topic.truncatedForMessage)-\(record.partition), not \(name.truncatedForMessage)")
                }
            }
        }
        guard count <= limit else {
            return .invalidEvent("Field 'records' holds more than \(KafkaSourceEvent.maximumRecords) records")
        }
        total += count
        return problem
    }
}
