import Encoding
import FunctionCore
import JSON
import PostgresSink

/// One record of an event source mapping batch, read member by member from the event's bytes.
/// Problems are noted while reading and reported afterwards in a fixed order: a repeated member,
/// then `topic`, `partition`, `offset`, `timestamp`, `timestampType`, `key`, `value`, `headers`,
/// then the first unknown member, with the messages `ObjectReader` gives.
struct SourceRecordReader {
    /// A member as read: its bytes are kept only as far as a check needs them.
    private enum Member {
        case absent
        /// JSON null, which every field takes as absent.
        case null
        case wrongType(String)
        /// A string without escapes: where its text is in the event's bytes.
        case string(Range<Int>)
        /// A string with escapes: its decoded text.
        case escapedString([UInt8])
        /// A number's text.
        case number(Range<Int>)
    }

    private static let headersIndex = 7

    /// The member's place in `members` (then the two schema members, 8 and 9); nil for another name.
    /// Compared as bytes, by length first: this runs for every member of every record.
    private static func knownIndex(_ name: UnsafeBufferPointer<UInt8>) -> Int? {
        func equals(_ literal: StaticString) -> Bool { JSONScanner.name(name, is: literal) }
        switch name.count {
        case 3: return equals("key") ? 5 : nil
        case 5: return equals("topic") ? 0 : equals("value") ? 6 : nil
        case 6: return equals("offset") ? 2 : nil
        case 7: return equals("headers") ? headersIndex : nil
        case 9: return equals("partition") ? 1 : equals("timestamp") ? 3 : nil
        case 13: return equals("timestampType") ? 4 : nil
        case 17: return equals("keySchemaMetadata") ? 8 : nil
        case 19: return equals("valueSchemaMetadata") ? 9 : nil
        default: return nil
        }
    }
    private static let timestampTypes = ["CREATE_TIME", "LOG_APPEND_TIME", "NO_TIMESTAMP_TYPE"]

    private var members = [Member](repeating: .absent, count: 8)
    private var seenKnown: UInt16 = 0
    private var seenOthers: [String] = []
    private var repeated: String?
    private var unknown: String?
    private var headers = SourceHeadersReader()

    /// Reads the value the scanner stands on (valid JSON); `path` names it in messages.
    mutating func read(
        _ scanner: inout JSONScanner, depth: Int, topics: inout TopicCache, path: () -> String
    ) throws(JSONParser.Error) -> Result<SinkRecord, FunctionError> {
        guard scanner.current == UInt8(ascii: "{") else {
            let type = scanner.typeNameOfCurrentValue
            try scanner.skipValue(depth: depth)
            return .failure(.invalidEvent("'\(path())' must be a JSON object, got \(type)"))
        }
        source = scanner.bytes
        try scanner.readObjectNames(depth: depth + 1) { scanner, name throws(JSONParser.Error) in
            try member(name, &scanner, depth: depth + 1, path: path)
        }
        do throws(FunctionError) {
            return .success(try record(path: path(), topics: &topics))
        } catch {
            return .failure(error)
        }
    }

    private mutating func member(
        _ nameText: UnsafeBufferPointer<UInt8>, _ scanner: inout JSONScanner, depth: Int, path: () -> String
    ) throws(JSONParser.Error) {
        guard let index = Self.knownIndex(nameText) else {
            let name = String(decoding: nameText, as: UTF8.self)
            if seenOthers.contains(name) { repeated = repeated ?? name } else { seenOthers.append(name) }
            unknown = unknown ?? name
            try scanner.skipValue(depth: depth)
            return
        }
        let bit = UInt16(1) << index
        if seenKnown & bit != 0 { repeated = repeated ?? String(decoding: nameText, as: UTF8.self) }
        seenKnown |= bit
        guard repeated == nil, index < members.count else {
            try scanner.skipValue(depth: depth)
            return
        }
        if index == Self.headersIndex {
            if scanner.current == UInt8(ascii: "n") {
                _ = try scanner.scanLiteral()
            } else {
                try headers.read(&scanner, depth: depth) { "\(path()).headers" }
            }
            return
        }
        switch scanner.current ?? 0 {
        case UInt8(ascii: "n"):
            _ = try scanner.scanLiteral()
            members[index] = .null
        case UInt8(ascii: "\""):
            var decoded: [UInt8] = []
            let span = try scanner.scanString(into: &decoded)
            members[index] = span.escaped ? .escapedString(decoded) : .string(span.content)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            members[index] = .number(try scanner.scanNumber())
        default:
            members[index] = .wrongType(scanner.typeNameOfCurrentValue)
            try scanner.skipValue(depth: depth)
        }
    }

    /// The event's bytes, which `.string` and `.number` point into.
    private var source = UnsafeBufferPointer<UInt8>(start: nil, count: 0)

    private func record(path: String, topics: inout TopicCache) throws(FunctionError) -> SinkRecord {
        func field(_ name: String) -> String { "\(path).\(name)" }
        if let repeated { throw .invalidEvent("Field '\(field(repeated.truncatedForMessage))' appears more than once") }
        let topicName = try withText(0, field("topic")) { text throws(FunctionError) in
            try topics.name(text) { name throws(FunctionError) in try TopicName.validate(name, field: field("topic")) }
        }
        guard let topic = topicName else { throw .invalidEvent("Field '\(field("topic"))' is required") }
        guard let partition = try integer(1, field("partition"), in: 0...Int64(Int32.max)) else {
            throw .invalidEvent("Field '\(field("partition"))' is required")
        }
        guard let offset = try integer(2, field("offset"), in: 0...Int64.max) else {
            throw .invalidEvent("Field '\(field("offset"))' is required")
        }
        let timestamp = try integer(3, field("timestamp"), in: -1...Int64(253_402_300_799_999))
        let timestampType = try withText(4, field("timestampType")) { text throws(FunctionError) in
            guard let known = Self.timestampTypes.first(where: { $0.utf8.elementsEqual(text) }) else {
                throw .invalidEvent("Field '\(field("timestampType"))' must be CREATE_TIME, LOG_APPEND_TIME or NO_TIMESTAMP_TYPE")
            }
            return known
        }
        let key = try base64(5, field("key"))
        let value = try base64(6, field("value"))
        if let problem = headers.problem { throw .invalidEvent(problem) }
        if let unknown { throw .invalidEvent("Unknown field '\(field(unknown.truncatedForMessage))'") }
        return SinkRecord(
            topic: topic, partition: Int32(partition), offset: offset, key: key,
            value: value.map(SinkValueClassifier.classify) ?? .tombstone, headersJSON: headers.stored,
            timestampMilliseconds: timestamp.flatMap { $0 >= 0 ? $0 : nil },
            timestampType: timestampType == "NO_TIMESTAMP_TYPE" ? nil : timestampType)
    }

    /// `body` with a string member's text (valid UTF-8); nil when the member is absent or null.
    private func withText<T>(
        _ index: Int, _ field: @autoclosure () -> String, _ body: (UnsafeBufferPointer<UInt8>) throws(FunctionError) -> T
    ) throws(FunctionError) -> T? {
        switch members[index] {
        case .absent, .null: return nil
        case let .string(span): return try body(UnsafeBufferPointer(rebasing: source[span]))
        case let .escapedString(text): return try text.withUnsafeBufferPointer { buffer throws(FunctionError) in try body(buffer) }
        case let .wrongType(type): throw .invalidEvent("Field '\(field())' must be a string, got \(type)")
        case .number: throw .invalidEvent("Field '\(field())' must be a string, got number")
        }
    }

    private func integer(
        _ index: Int, _ field: @autoclosure () -> String, in range: ClosedRange<Int64>
    ) throws(FunctionError) -> Int64? {
        func problem() -> String { "Field '\(field())' must be an integer from \(range.lowerBound) to \(range.upperBound)" }
        switch members[index] {
        case .absent, .null: return nil
        case .string, .escapedString: throw .invalidEvent("\(problem()), got string")
        case let .wrongType(type): throw .invalidEvent("\(problem()), got \(type)")
        case let .number(span):
            let text = UnsafeBufferPointer(rebasing: source[span])
            guard let number = SourceNumber.integer(text), range.contains(number) else {
                throw .invalidEvent("\(problem()), got \(String(decoding: text, as: UTF8.self).prefix(40))")
            }
            return number
        }
    }

    private func base64(_ index: Int, _ field: @autoclosure () -> String) throws(FunctionError) -> [UInt8]? {
        try withText(index, field()) { text throws(FunctionError) in
            guard let bytes = Base64.decode(symbols: text) else {
                throw .invalidEvent("Field '\(field())' must be base64 (standard alphabet, padded)")
            }
            return bytes
        }
    }
}

/// The last topic name read, so a batch's records (nearly always of one topic) share one `String`
/// and its check runs once.
struct TopicCache {
    private var bytes: [UInt8] = []
    private var name: String?

    mutating func name(
        _ text: UnsafeBufferPointer<UInt8>, checked check: (String) throws(FunctionError) -> String
    ) throws(FunctionError) -> String {
        if let name, bytes.elementsEqual(text) { return name }
        let checkedName = try check(String(decoding: text, as: UTF8.self))
        bytes = Array(text)
        name = checkedName
        return checkedName
    }
}

/// JSON number text as `Int64(text)` reads it: nil for fractions, exponents and overflow.
enum SourceNumber {
    static func integer(_ text: UnsafeBufferPointer<UInt8>) -> Int64? {
        var index = 0
        let negative = text.first == UInt8(ascii: "-")
        if negative { index = 1 }
        guard index < text.count, text.count - index <= 18 else {
            return Int64(String(decoding: text, as: UTF8.self))
        }
        var value: Int64 = 0
        while index < text.count {
            let digit = text[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            value = value * 10 + Int64(digit)
            index += 1
        }
        return negative ? -value : value
    }
}
