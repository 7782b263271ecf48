import Encoding
import JSON
import Kafka

/// Decodes a produce event's `records` array straight from the event's bytes into `SuppliedRecords`,
/// in one pass and without a tree: `value` (any JSON; a string is sent as its UTF-8 text, other JSON
/// as its compact serialisation, null as a tombstone), optional `key`, `headers`, `partition`, and
/// `encoding: "base64"` for binary values.
///
/// JSON syntax errors are thrown at once (the whole event is invalid); the first record that breaks
/// a rule is reported after the array is read, with the same checks, in the same order, as a record
/// read member by member would get, each naming the field and the record index.
package enum RecordsDecoder {
    package static let maximumRecords = 50_000
    /// `{"value":0},`: hardly a record in the array takes fewer bytes.
    static let smallestRecordBytes = 12

    package enum Failure: Error {
        case empty
        case tooMany(count: Int)
        case record(FunctionError)
    }

    /// Reads the array the scanner stands on (a value at `depth`).
    package static func decode(
        _ scanner: inout JSONScanner, depth: Int, source: [UInt8]
    ) throws(JSONParser.Error) -> Result<SuppliedRecords, Failure> {
        var records = SuppliedRecords(source: source)
        // Decoded bytes never outgrow the text they come from; untouched capacity costs no memory.
        records.arena.reserveCapacity(scanner.bytes.count - scanner.position)
        // Room for as many entries as the rest of the event could hold (at `{"value":0},` each; a
        // record this estimate misses only makes the list grow), so it is not copied as it grows:
        // growing by doubling, a 40,000-record event faulted in some 500 pages more and copied 2 MB.
        // Untouched capacity costs no memory.
        records.entries.reserveCapacity(min(maximumRecords, (scanner.bytes.count - scanner.position) / smallestRecordBytes + 1))
        var failure: FunctionError?
        var count = 0
        // A record object nested past the depth limit is refused by the general reader.
        let plainRecordsAllowed = depth + 2 <= JSONParser.maximumDepth
        try scanner.readArray(depth: depth + 1) { scanner, index throws(JSONParser.Error) in
            count += 1
            guard failure == nil, index < maximumRecords else {
                try scanner.skipValue(depth: depth + 1)
                return
            }
            if plainRecordsAllowed, var entry = PlainRecord.read(&scanner) {
                entry.firstHeader = Int32(records.headers.count)
                records.entries.append(entry)
                return
            }
            var record = RecordReader(index: index)
            failure = try record.read(&scanner, depth: depth + 1, into: &records)
            if failure != nil { records = SuppliedRecords(source: source) }
        }
        if count == 0 { return .failure(.empty) }
        if count > maximumRecords { return .failure(.tooMany(count: count)) }
        if let failure { return .failure(.record(failure)) }
        return .success(records)
    }
}

/// One record object, member by member; problems are noted as found and reported in a fixed order.
private struct RecordReader {
    package typealias Span = SuppliedRecords.Span

    package enum Value {
        case absent, null
        case string(Span)
        case json(Span)
    }

    package let index: Int
    package var value = Value.absent
    package var key: Span?
    package var encoding: String?
    package var partition: Int32?
    /// Members already read: the five known names as bits (no allocation per record), others listed.
    package var seenKnown: UInt8 = 0
    package var seenOthers: [String] = []
    package var duplicate: String?
    package var unknown: String?
    package var encodingProblem: String?
    package var keyProblem: String?
    package var partitionProblem: String?
    package var headersProblem: String?
    package var hasTraceHeader = false

    package init(index: Int) {
        self.index = index
    }

    package var path: String { "records[\(index)]" }
    package func field(_ name: String) -> String { "\(path).\(name)" }

    /// Reads the element the scanner stands on; appends it to `records` or returns why it is refused.
    package mutating func read(
        _ scanner: inout JSONScanner, depth: Int, into records: inout SuppliedRecords
    ) throws(JSONParser.Error) -> FunctionError? {
        guard scanner.current == UInt8(ascii: "{") else {
            let type = scanner.typeNameOfCurrentValue
            try scanner.skipValue(depth: depth)
            return .invalidEvent("'\(path)' must be a JSON object, got \(type)")
        }
        let firstHeader = records.headers.count
        try scanner.readObjectNames(depth: depth + 1) { scanner, name throws(JSONParser.Error) in
            try member(name, &scanner, depth: depth + 1, records: &records)
        }
        let headerCount = records.headers.count - firstHeader
        let decodedValue: Span?
        do throws(FunctionError) {
            decodedValue = try checked(records: &records)
        } catch {
            return error
        }
        records.entries.append(SuppliedRecords.Entry(
            key: key, value: decodedValue, partition: partition ?? -1, firstHeader: Int32(firstHeader),
            headerCount: Int32(headerCount), hasTraceHeader: hasTraceHeader))
        return nil
    }

    /// The bit of a known member name, 0 for any other; matched on the name's bytes, no `String`.
    private static func knownBit(_ name: UnsafeBufferPointer<UInt8>) -> UInt8 {
        if JSONScanner.name(name, is: "value") { return Known.value }
        if JSONScanner.name(name, is: "key") { return Known.key }
        if JSONScanner.name(name, is: "encoding") { return Known.encoding }
        if JSONScanner.name(name, is: "partition") { return Known.partition }
        if JSONScanner.name(name, is: "headers") { return Known.headers }
        return 0
    }

    private enum Known {
        static let value: UInt8 = 1, key: UInt8 = 2, encoding: UInt8 = 4, partition: UInt8 = 8, headers: UInt8 = 16

        static func name(_ bit: UInt8) -> String {
            switch bit {
            case value: "value"
            case key: "key"
            case encoding: "encoding"
            case partition: "partition"
            default: "headers"
            }
        }
    }

    private mutating func member(
        _ memberName: UnsafeBufferPointer<UInt8>, _ scanner: inout JSONScanner, depth: Int, records: inout SuppliedRecords
    ) throws(JSONParser.Error) {
        let knownBit = Self.knownBit(memberName)
        if knownBit != 0 {
            if seenKnown & knownBit != 0 {
                duplicate = duplicate ?? Known.name(knownBit)
                try scanner.skipValue(depth: depth)
                return
            }
            seenKnown |= knownBit
        } else {
            let name = String(decoding: memberName, as: UTF8.self)
            if seenOthers.contains(name) {
                duplicate = duplicate ?? name
            } else {
                seenOthers.append(name)
                unknown = unknown ?? name
            }
            try scanner.skipValue(depth: depth)
            return
        }
        let isNull = scanner.current == UInt8(ascii: "n")
        switch knownBit {
        case Known.value:
            if isNull {
                _ = try scanner.scanLiteral()
                value = .null
            } else if scanner.current == UInt8(ascii: "\"") {
                value = .string(try Self.string(&scanner, records: &records))
            } else {
                let start = records.arena.count
                try scanner.appendCompact(into: &records.arena, depth: depth)
                value = .json(Span(start: Int32(start), count: Int32(records.arena.count - start), inArena: true))
            }
        case Known.key:
            if isNull {
                _ = try scanner.scanLiteral()
            } else if scanner.current == UInt8(ascii: "\"") {
                key = try Self.string(&scanner, records: &records)
            } else {
                keyProblem = "Field '\(field("key"))' must be a string, got \(scanner.typeNameOfCurrentValue)"
                try scanner.skipValue(depth: depth)
            }
        case Known.encoding:
            if isNull {
                _ = try scanner.scanLiteral()
            } else if scanner.current == UInt8(ascii: "\"") {
                encoding = try scanner.parseString()
            } else {
                encodingProblem = "Field '\(field("encoding"))' must be a string, got \(scanner.typeNameOfCurrentValue)"
                try scanner.skipValue(depth: depth)
            }
        case Known.partition:
            try readPartition(&scanner, depth: depth)
        default:
            if isNull {
                _ = try scanner.scanLiteral()
            } else {
                try readHeaders(&scanner, depth: depth, records: &records)
            }
        }
    }

    /// The string's text: a span of the event when it had no escapes, else decoded into the arena.
    private static func string(_ scanner: inout JSONScanner, records: inout SuppliedRecords) throws(JSONParser.Error) -> Span {
        let start = records.arena.count
        let span = try scanner.scanString(into: &records.arena)
        if span.escaped {
            return Span(start: Int32(start), count: Int32(records.arena.count - start), inArena: true)
        }
        return Span(start: Int32(span.content.lowerBound), count: Int32(span.content.count), inArena: false)
    }

    private mutating func readPartition(_ scanner: inout JSONScanner, depth: Int) throws(JSONParser.Error) {
        var problem: String { "Field '\(field("partition"))' must be an integer from 0 to \(Int32.max)" }
        switch scanner.current ?? 0 {
        case UInt8(ascii: "n"):
            _ = try scanner.scanLiteral()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let range = try scanner.scanNumber()
            let text = String(decoding: UnsafeBufferPointer(rebasing: scanner.bytes[range]), as: UTF8.self)
            if let number = Int64(text), (0...Int64(Int32.max)).contains(number) {
                partition = Int32(number)
            } else {
                partitionProblem = "\(problem), got \(text.prefix(40))"
            }
        default:
            partitionProblem = "\(problem), got \(scanner.typeNameOfCurrentValue)"
            try scanner.skipValue(depth: depth)
        }
    }

    /// Headers as an object of strings, or as an array of `{"key","value"}` (which allows repeats).
    private mutating func readHeaders(
        _ scanner: inout JSONScanner, depth: Int, records: inout SuppliedRecords
    ) throws(JSONParser.Error) {
        let path = field("headers")
        switch scanner.current {
        case UInt8(ascii: "{"):
            try scanner.readObject(depth: depth + 1) { scanner, name throws(JSONParser.Error) in
                guard headersProblem == nil, scanner.current == UInt8(ascii: "\"") else {
                    if headersProblem == nil {
                        headersProblem = "Field '\(path).\(name.truncatedForMessage)' must be a string, got \(scanner.typeNameOfCurrentValue)"
                    }
                    try scanner.skipValue(depth: depth + 1)
                    return
                }
                let value = try Self.string(&scanner, records: &records)
                guard Self.isValidHeaderKey(name) else {
                    headersProblem = Self.headerKeyProblem("\(path).\(name.truncatedForMessage)")
                    return
                }
                addHeader(name: name, value: value, records: &records)
            }
        case UInt8(ascii: "["):
            try scanner.readArray(depth: depth + 1) { scanner, index throws(JSONParser.Error) in
                guard headersProblem == nil else {
                    try scanner.skipValue(depth: depth + 1)
                    return
                }
                try readHeaderEntry(&scanner, path: "\(path)[\(index)]", depth: depth + 1, records: &records)
            }
        default:
            headersProblem = "Field '\(path)' must be an object or an array, got \(scanner.typeNameOfCurrentValue)"
            try scanner.skipValue(depth: depth)
        }
    }

    /// One `{"key": ..., "value": ...}` of a header array, checked as a strict object.
    private mutating func readHeaderEntry(
        _ scanner: inout JSONScanner, path: String, depth: Int, records: inout SuppliedRecords
    ) throws(JSONParser.Error) {
        guard scanner.current == UInt8(ascii: "{") else {
            headersProblem = "'\(path)' must be a JSON object, got \(scanner.typeNameOfCurrentValue)"
            try scanner.skipValue(depth: depth)
            return
        }
        var names: [String] = []
        var duplicate: String?
        var unknown: String?
        var name: String?
        var nameProblem: String?
        var value: Span?
        var valueProblem: String?
        try scanner.readObject(depth: depth + 1) { scanner, member throws(JSONParser.Error) in
            if names.contains(member) {
                duplicate = duplicate ?? member
            }
            names.append(member)
            let isString = scanner.current == UInt8(ascii: "\"")
            let isNull = scanner.current == UInt8(ascii: "n")
            switch member {
            case "key" where isString && duplicate == nil:
                name = try scanner.parseString()
            case "value" where isString && duplicate == nil:
                value = try Self.string(&scanner, records: &records)
            case "key" where !isNull, "value" where !isNull:
                let problem = "Field '\(path).\(member)' must be a string, got \(scanner.typeNameOfCurrentValue)"
                if member == "key" { nameProblem = problem } else { valueProblem = problem }
                try scanner.skipValue(depth: depth + 1)
            case "key", "value":
                try scanner.skipValue(depth: depth + 1)
            default:
                unknown = unknown ?? member
                try scanner.skipValue(depth: depth + 1)
            }
        }
        if let duplicate {
            headersProblem = "Field '\(path).\(duplicate.truncatedForMessage)' appears more than once"
        } else if let nameProblem {
            headersProblem = nameProblem
        } else if name == nil {
            headersProblem = "Field '\(path).key' is required"
        } else if let valueProblem {
            headersProblem = valueProblem
        } else if let unknown {
            headersProblem = "Unknown field '\(path).\(unknown.truncatedForMessage)'"
        } else if let name, !Self.isValidHeaderKey(name) {
            headersProblem = Self.headerKeyProblem("\(path).key")
        }
        guard headersProblem == nil, let name else { return }
        addHeader(name: name, value: value ?? Span(start: 0, count: 0, inArena: true), records: &records)
    }

    /// librdkafka keeps header names as C strings (a NUL cuts them), and a CR or LF would split a
    /// header line wherever the name is shown again (the REST proxy, logs).
    private static func isValidHeaderKey(_ key: String) -> Bool {
        !key.utf8.contains { $0 == 0 || $0 == 0x0d || $0 == 0x0a }
    }

    private static func headerKeyProblem(_ path: String) -> String {
        "Field '\(path)' has a header key with a NUL, CR or LF character; header keys must not contain them"
    }

    private mutating func addHeader(name: String, value: Span, records: inout SuppliedRecords) {
        let start = records.arena.count
        records.arena.append(contentsOf: name.utf8)
        let nameSpan = Span(start: Int32(start), count: Int32(records.arena.count - start), inArena: true)
        records.headers.append((nameSpan, value))
        if TraceHeader.matches(name) {
            hasTraceHeader = true
        }
    }

    /// The checks in the order a strict member-by-member reading makes them; returns the value's bytes.
    private func checked(records: inout SuppliedRecords) throws(FunctionError) -> Span? {
        if let duplicate {
            throw .invalidEvent("Field '\(field(duplicate.truncatedForMessage))' appears more than once")
        }
        // Built only for an error message: an interpolated string per record cost more than decoding it.
        var valuePath: String { field("value") }
        if case .absent = value {
            throw .invalidEvent("Field '\(valuePath)' is required (use null for a tombstone)")
        }
        if let encodingProblem { throw .invalidEvent(encodingProblem) }
        let decoded: Span?
        switch (value, encoding) {
        case (.absent, _), (.null, _): decoded = nil
        case let (.string(text), "base64"):
            guard let bytes = Self.base64(text, records: records) else {
                throw .invalidEvent("Field '\(valuePath)' is not valid base64")
            }
            let start = records.arena.count
            records.arena.append(contentsOf: bytes)
            decoded = Span(start: Int32(start), count: Int32(bytes.count), inArena: true)
        case (_, "base64"):
            throw .invalidEvent("Field '\(valuePath)' must be a string when 'encoding' is base64")
        case let (.string(text), nil), let (.json(text), nil): decoded = text
        case let (_, .some(other)):
            throw .invalidEvent("Field '\(field("encoding"))' must be \"base64\", got \"\(other.truncatedForMessage)\"")
        }
        if let keyProblem { throw .invalidEvent(keyProblem) }
        if let partitionProblem { throw .invalidEvent(partitionProblem) }
        if let headersProblem { throw .invalidEvent(headersProblem) }
        if let unknown { throw .invalidEvent("Unknown field '\(field(unknown.truncatedForMessage))'") }
        return decoded
    }

    private static func base64(_ span: Span, records: SuppliedRecords) -> [UInt8]? {
        let range = Int(span.start)..<Int(span.start + span.count)
        let storage = span.inArena ? records.arena : records.source
        return storage.withUnsafeBufferPointer { Base64.decode(symbols: UnsafeBufferPointer(rebasing: $0[range])) }
    }
}
