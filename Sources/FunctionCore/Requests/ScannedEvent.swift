import JSON

/// An event read in one pass: its members as small trees, except a `records` array, which is
/// decoded in place (`RecordsDecoder`), a top-level `records` object (an event source mapping
/// batch), which is validated and located but not built, and EventBridge's `detail`, read the same
/// way one level down.
package final class ScannedEvent {
    /// The value with every `records` array replaced by `[]` (its records are in `records`) and a
    /// top-level `records` object by `{}` (its bytes are at `recordsObject`).
    package let document: JSONValue
    /// The first `records` array member, decoded.
    package let records: Result<SuppliedRecords, RecordsDecoder.Failure>?
    /// Where the first top-level `records` object is in the event's bytes (valid JSON, not read yet).
    package let recordsObject: Range<Int>?
    /// The first `detail` object member (top level only).
    package let detail: ScannedEvent?

    /// True when `document` differs from the event's JSON (a `records` array or object was taken out).
    package var replacedRecords: Bool { records != nil || recordsObject != nil || detail?.records != nil }

    private init(
        document: JSONValue, records: Result<SuppliedRecords, RecordsDecoder.Failure>?, recordsObject: Range<Int>? = nil,
        detail: ScannedEvent?
    ) {
        self.document = document
        self.records = records
        self.recordsObject = recordsObject
        self.detail = detail
    }

    /// Every tree holds at most `JSONParser.maximumValues` values: an event source mapping batch's
    /// records, the only large object, are never built as one (see `recordsObject`).
    package static func scan(_ bytes: [UInt8], readsDetail: Bool = true) throws(JSONParser.Error) -> ScannedEvent {
        try bytes.withUnsafeBufferPointer { buffer throws(JSONParser.Error) in
            var scanner = JSONScanner(buffer)
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
        var recordsObject: Range<Int>?
        var detail: ScannedEvent?
        try scanner.readObject(depth: depth + 1) { scanner, key throws(JSONParser.Error) in
            if key == "records", records == nil, scanner.current == UInt8(ascii: "[") {
                records = try RecordsDecoder.decode(&scanner, depth: depth + 1, source: source)
                members.append((key, .array([])))
            } else if key == "records", depth == 0, recordsObject == nil, scanner.current == UInt8(ascii: "{") {
                let start = scanner.position
                try scanner.skipValue(depth: depth + 1)
                recordsObject = start..<scanner.position
                members.append((key, .object([])))
            } else if key == "detail", readsDetail, detail == nil, scanner.current == UInt8(ascii: "{") {
                let scanned = try scanObject(&scanner, depth: depth + 1, source: source, readsDetail: false)
                detail = scanned
                members.append((key, scanned.document))
            } else {
                members.append((key, try scanner.parseValue(depth: depth + 1)))
            }
        }
        return ScannedEvent(document: .object(members), records: records, recordsObject: recordsObject, detail: detail)
    }
}
