import JSON

/// An event read in one pass: its members as small trees, except a `records` array, which is
/// decoded in place (`RecordsDecoder`), and EventBridge's `detail`, read the same way one level down.
package final class ScannedEvent {
    /// The value with every `records` array replaced by `[]` (its records are in `records`).
    package let document: JSONValue
    /// The first `records` array member, decoded.
    package let records: Result<SuppliedRecords, RecordsDecoder.Failure>?
    /// The first `detail` object member (top level only).
    package let detail: ScannedEvent?

    /// True when `document` differs from the event's JSON (a `records` array was taken out).
    package var replacedRecords: Bool { records != nil || detail?.records != nil }

    private init(document: JSONValue, records: Result<SuppliedRecords, RecordsDecoder.Failure>?, detail: ScannedEvent?) {
        self.document = document
        self.records = records
        self.detail = detail
    }

    /// Bytes of event per value the tree may hold beyond `JSONParser.maximumValues`. An event source
    /// mapping batch keeps its records as a tree (an object keyed by topic-partition), about 16 values
    /// and 150 to 300 bytes per record, so a 10,000-record batch (the template's largest) needs some
    /// 160,000. At about 100 bytes per node, a 6 MB event's tree stays under 80 MB (750,000 values).
    static let bytesPerValue = 8

    package static func scan(_ bytes: [UInt8], readsDetail: Bool = true) throws(JSONParser.Error) -> ScannedEvent {
        try bytes.withUnsafeBufferPointer { buffer throws(JSONParser.Error) in
            var scanner = JSONScanner(buffer, valueBudget: max(JSONParser.maximumValues, bytes.count / bytesPerValue))
            scanner.skipWhitespace()
            let event: ScannedEvent
            if scanner.current == UInt8(ascii: "{") {
                event = try scanObject(&scanner, depth: 0, source: bytes, readsDetail: readsDetail)
            } else {
                event = ScannedEvent(document: try scanner.parseValue(depth: 0), records: nil, detail: nil)
            }
            try scanner.expectEnd()
            return event
        }
    }

    private static func scanObject(
        _ scanner: inout JSONScanner, depth: Int, source: [UInt8], readsDetail: Bool
    ) throws(JSONParser.Error) -> ScannedEvent {
        var members: [(key: String, value: JSONValue)] = []
        var records: Result<SuppliedRecords, RecordsDecoder.Failure>?
        var detail: ScannedEvent?
        try scanner.readObject(depth: depth + 1) { scanner, key throws(JSONParser.Error) in
            if key == "records", records == nil, scanner.current == UInt8(ascii: "[") {
                records = try RecordsDecoder.decode(&scanner, depth: depth + 1, source: source)
                members.append((key, .array([])))
            } else if key == "detail", readsDetail, detail == nil, scanner.current == UInt8(ascii: "{") {
                let scanned = try scanObject(&scanner, depth: depth + 1, source: source, readsDetail: false)
                detail = scanned
                members.append((key, scanned.document))
            } else {
                members.append((key, try scanner.parseValue(depth: depth + 1)))
            }
        }
        return ScannedEvent(document: .object(members), records: records, detail: detail)
    }
}
