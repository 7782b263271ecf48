import Encoding
import FunctionCore
import JSON
import Kafka
import KafkaAdminClient

/// One client command of APISIX's Kafka pub/sub protocol (`PubSubReq` in APISIX's
/// `pubsub.proto`), in protobuf's JSON form:
///
///     {"sequence":1,"cmd_kafka_list_offset":{"topic":"t","partition":0,"timestamp":-1}}
///     {"sequence":2,"cmd_kafka_fetch":{"topic":"t","partition":0,"offset":40}}
///     {"sequence":3,"cmd_ping":{"state":"aGk="}}
///
/// As protobuf's JSON parsers do, 64-bit integers are accepted as numbers or decimal strings,
/// and field names in their lowerCamelCase form too; unknown fields are rejected.
package enum PubSubCommand: Equatable {
    /// `state` decoded from any base64 protobuf's JSON parsers take (padded or not, standard or URL-safe).
    case ping(state: [UInt8])
    case listOffset(topic: String, partition: Int32, query: OffsetQuery)
    case fetch(topic: String, partition: Int32, offset: Int64)

    /// What a message decodes to: the sequence to echo (0 when it cannot be read) and the command or why not.
    package struct Decoded {
        package var sequence: JSONValue
        package var command: Result<PubSubCommand, PubSubError>
    }

    package static let commandNames = ["cmd_ping", "cmd_kafka_list_offset", "cmd_kafka_fetch"]

    package static func decode(_ text: String) -> Decoded {
        let document: JSONValue
        do {
            document = try JSONParser.parse(Array(text.utf8))
        } catch {
            return Decoded(sequence: .integer(0), command: .failure(.badCommand("The message is not valid JSON: \(error)")))
        }
        guard case let .object(members) = document else {
            return Decoded(sequence: .integer(0), command: .failure(.badCommand("The message must be a JSON object (PubSubReq), got \(document.typeName)")))
        }
        let normalized = JSONValue.object(members.map { (protoFieldName($0.key), $0.value) })
        var sequence: JSONValue = .integer(0)
        do throws(FunctionError) {
            var reader = try ObjectReader(normalized, path: "")
            if let value = reader.value("sequence") {
                _ = try int64(value, path: "sequence", in: Int64.min...Int64.max)
                sequence = value
            }
            let present = commandNames.filter { reader.hasMember($0) }
            guard present.count == 1, let name = present.first, let body = reader.value(name) else {
                throw FunctionError.invalidEvent("The message must hold exactly one command: \(commandNames.joined(separator: ", "))")
            }
            try reader.finish()
            return Decoded(sequence: sequence, command: .success(try command(name, body)))
        } catch {
            return Decoded(sequence: sequence, command: .failure(.badCommand(error.errorMessage)))
        }
    }

    private static func command(_ name: String, _ body: JSONValue) throws(FunctionError) -> PubSubCommand {
        guard case let .object(members) = body else {
            throw .invalidEvent("Field '\(name)' must be a JSON object, got \(body.typeName)")
        }
        var reader = try ObjectReader(.object(members.map { (protoFieldName($0.key), $0.value) }), path: name)
        let command: PubSubCommand
        switch name {
        case "cmd_ping":
            let text = try reader.string("state") ?? ""
            guard let state = Base64.decode(text, padding: .optional) ?? Base64.decode(text, alphabet: .url, padding: .optional) else {
                throw .invalidEvent("Field 'cmd_ping.state' must be base64 (protobuf JSON bytes)")
            }
            command = .ping(state: state)
        case "cmd_kafka_list_offset":
            let topic = try topic(&reader)
            let partition = try partition(&reader)
            let timestamp = try reader.value("timestamp").map { value throws(FunctionError) in
                try int64(value, path: reader.fieldPath("timestamp"), in: -2...Int64.max)
            } ?? 0
            let query: OffsetQuery = switch timestamp {
            case -1: .latest
            case -2: .earliest
            default: .time(milliseconds: timestamp)
            }
            command = .listOffset(topic: topic, partition: partition, query: query)
        default:
            let topic = try topic(&reader)
            let partition = try partition(&reader)
            let offset = try reader.value("offset").map { value throws(FunctionError) in
                try int64(value, path: reader.fieldPath("offset"), in: 0...Int64.max)
            } ?? 0
            command = .fetch(topic: topic, partition: partition, offset: offset)
        }
        try reader.finish()
        return command
    }

    private static func topic(_ reader: inout ObjectReader) throws(FunctionError) -> String {
        try TopicName.validate(try reader.requiredString("topic"), field: reader.fieldPath("topic"))
    }

    /// protobuf's default for a missing int32 is 0.
    private static func partition(_ reader: inout ObjectReader) throws(FunctionError) -> Int32 {
        let path = reader.fieldPath("partition")
        guard let value = reader.value("partition") else { return 0 }
        return Int32(try int64(value, path: path, in: 0...Int64(Int32.max)))
    }

    /// protobuf JSON: an int64 is a number or a string of decimal digits.
    private static func int64(_ value: JSONValue, path: String, in range: ClosedRange<Int64>) throws(FunctionError) -> Int64 {
        if case let .string(text) = value {
            guard let number = Int64(text), range.contains(number) else {
                throw .invalidEvent("Field '\(path)' must be an integer from \(range.lowerBound) to \(range.upperBound), got '\(text.truncatedForMessage)'")
            }
            return number
        }
        return try ObjectReader.integer(value, path: path, in: range)
    }

    /// protobuf JSON parsers accept a field's lowerCamelCase JSON name as well as its proto name.
    private static func protoFieldName(_ key: String) -> String {
        switch key {
        case "cmdPing": "cmd_ping"
        case "cmdKafkaListOffset": "cmd_kafka_list_offset"
        case "cmdKafkaFetch": "cmd_kafka_fetch"
        default: key
        }
    }
}

/// An `ErrorResp`: `code` follows HTTP's status codes so a client can tell its own mistakes
/// (4xx) from Kafka's (5xx).
package struct PubSubError: Error, Equatable {
    package var code: Int
    package var message: String

    package static func badCommand(_ message: String) -> PubSubError { PubSubError(code: 400, message: message) }

    /// A server-side failure's message can name the role, account or brokers the function uses:
    /// it goes to the log and the client gets a generic one, as on the HTTP routes. Client
    /// mistakes (4xx) are kept.
    package func forClient(log: (String) -> Void) -> PubSubError {
        guard code >= 500 else { return self }
        log("error_resp \(code): \(message)")
        return PubSubError(code: code, message: GenericFailureMessage.forStatus(code))
    }
}

extension PubSubError {
    /// A core error as an `error_resp`: the code a client reads like an HTTP status.
    package init(_ error: FunctionError) {
        let code = switch error.kind {
        case .invalidEvent, .unknownAction: 400
        case .forbidden: 403
        case .topicNotFound, .tableNotFound: 404
        case .kafkaTimeout: 504
        case .kafkaError, .produceIncomplete, .tableMismatch, .invalidRecord, .databaseError: 502
        case .databaseUnavailable, .databaseAuthFailed: 503
        case .invalidConfiguration: 500
        }
        self.init(code: code, message: error.errorMessage)
    }
}
