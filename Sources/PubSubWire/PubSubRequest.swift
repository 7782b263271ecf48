/// `PubSubReq` of APISIX's pub/sub protocol in protobuf's binary form: a `sequence` (int64,
/// field 1) and one command of the oneof `req` (fields 31 to 34).
///
/// Decoding follows protobuf's rules: unknown fields are skipped, a field that repeats takes its
/// last value (a repeated message field merges), a oneof takes the member seen last, a field of
/// a known number but another wire type is treated as unknown, and an int32 is the low 32 bits of
/// its varint. Anything that is not the wire format (a truncated length or varint, a bad key) is
/// a `PubSubWireError`.
public struct PubSubRequest: Equatable, Sendable {
    public enum Command: Equatable, Sendable {
        /// `cmd_empty` (31): APISIX's placeholder, not served.
        case empty
        /// `cmd_ping` (32): `state` comes back in `pong_resp`.
        case ping(state: [UInt8])
        /// `cmd_kafka_fetch` (33).
        case kafkaFetch(topic: String, partition: Int32, offset: Int64)
        /// `cmd_kafka_list_offset` (34): `timestamp` -1 latest, -2 earliest, else milliseconds.
        case kafkaListOffset(topic: String, partition: Int32, timestamp: Int64)
    }

    public var sequence: Int64
    /// nil when the request holds no command.
    public var command: Command?

    public init(sequence: Int64, command: Command?) {
        self.sequence = sequence
        self.command = command
    }

    enum Field {
        static let sequence = 1
        static let empty = 31, ping = 32, kafkaFetch = 33, kafkaListOffset = 34
    }

    public static func decode(_ frame: [UInt8]) throws(PubSubWireError) -> PubSubRequest {
        var reader = ProtobufReader(frame[...])
        var sequence: Int64 = 0
        // The oneof member seen last, with all its occurrences' bytes (concatenation is a merge).
        var command: (field: Int, bytes: [UInt8], offset: Int)?
        while let field = try reader.nextField() {
            switch (field.number, field.value) {
            case (Field.sequence, .varint(let value)):
                sequence = Int64(bitPattern: value)
            case (Field.empty...Field.kafkaListOffset, .bytes(let payload)):
                if command?.field == field.number {
                    command?.bytes += payload
                } else {
                    command = (field.number, Array(payload), payload.startIndex)  // slices keep frame offsets
                }
            default:
                continue  // unknown, or a known number with another wire type
            }
        }
        guard let command else { return PubSubRequest(sequence: sequence, command: nil) }
        return PubSubRequest(sequence: sequence, command: try decodeCommand(command.field, command.bytes, at: command.offset))
    }

    private static func decodeCommand(_ field: Int, _ bytes: [UInt8], at offset: Int) throws(PubSubWireError) -> Command {
        var reader = ProtobufReader(bytes[...], base: offset)
        var topic = ""
        var partition: Int32 = 0
        var number: Int64 = 0  // offset or timestamp (field 3 of both Kafka commands)
        var state: [UInt8] = []
        let name = commandName(field)
        while let member = try reader.nextField() {
            switch (field, member.number, member.value) {
            case (Field.ping, 1, .bytes(let value)):
                state = Array(value)
            case (Field.kafkaFetch, 1, .bytes(let value)), (Field.kafkaListOffset, 1, .bytes(let value)):
                guard let text = String(validating: value, as: UTF8.self) else {
                    throw PubSubWireError("\(name).topic is not valid UTF-8")
                }
                topic = text
            case (Field.kafkaFetch, 2, .varint(let value)), (Field.kafkaListOffset, 2, .varint(let value)):
                partition = Int32(truncatingIfNeeded: value)
            case (Field.kafkaFetch, 3, .varint(let value)), (Field.kafkaListOffset, 3, .varint(let value)):
                number = Int64(bitPattern: value)
            default:
                continue
            }
        }
        switch field {
        case Field.empty: return .empty
        case Field.ping: return .ping(state: state)
        case Field.kafkaFetch: return .kafkaFetch(topic: topic, partition: partition, offset: number)
        default: return .kafkaListOffset(topic: topic, partition: partition, timestamp: number)
        }
    }

    static func commandName(_ field: Int) -> String {
        switch field {
        case Field.empty: "cmd_empty"
        case Field.ping: "cmd_ping"
        case Field.kafkaFetch: "cmd_kafka_fetch"
        default: "cmd_kafka_list_offset"
        }
    }

    /// The binary form (what a client sends); used by tests and benchmarks.
    public func encoded() -> [UInt8] {
        var writer = ProtobufWriter()
        writer.int64(Field.sequence, sequence)
        guard let command else { return writer.bytes }
        var body = ProtobufWriter()
        let field: Int
        switch command {
        case .empty:
            field = Field.empty
        case .ping(let state):
            field = Field.ping
            body.bytesField(1, state)
        case .kafkaFetch(let topic, let partition, let offset):
            field = Field.kafkaFetch
            body.bytesField(1, Array(topic.utf8))
            body.int64(2, Int64(partition))
            body.int64(3, offset)
        case .kafkaListOffset(let topic, let partition, let timestamp):
            field = Field.kafkaListOffset
            body.bytesField(1, Array(topic.utf8))
            body.int64(2, Int64(partition))
            body.int64(3, timestamp)
        }
        writer.bytesField(field, body.bytes, always: true)
        return writer.bytes
    }
}
