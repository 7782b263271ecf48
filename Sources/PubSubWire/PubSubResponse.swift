/// `PubSubResp` of APISIX's pub/sub protocol in protobuf's binary form: the request's `sequence`
/// (field 1) and one answer of the oneof `resp` (fields 31 to 34).
public struct PubSubResponse: Equatable, Sendable {
    public enum Body: Equatable, Sendable {
        /// `error_resp` (31).
        case error(code: Int32, message: String)
        /// `pong_resp` (32).
        case pong(state: [UInt8])
        /// `kafka_fetch_resp` (33).
        case kafkaFetch([KafkaMessage])
        /// `kafka_list_offset_resp` (34).
        case kafkaListOffset(Int64)
    }

    public var sequence: Int64
    public var body: Body

    public init(sequence: Int64, body: Body) {
        self.sequence = sequence
        self.body = body
    }

    public func encoded() -> [UInt8] {
        var inner = ProtobufWriter()
        let field: Int
        switch body {
        case .error(let code, let message):
            field = 31
            inner.int64(1, Int64(code))
            inner.bytesField(2, Array(message.utf8))
        case .pong(let state):
            field = 32
            inner.bytesField(1, state)
        case .kafkaFetch(let messages):
            field = 33
            for message in messages {
                inner.bytesField(1, message.encoded(), always: true)
            }
        case .kafkaListOffset(let offset):
            field = 34
            inner.int64(1, offset)
        }
        var writer = ProtobufWriter(reservingCapacity: inner.bytes.count + 16)
        writer.int64(1, sequence)
        writer.bytesField(field, inner.bytes, always: true)
        return writer.bytes
    }

    /// Bytes one message adds to a `kafka_fetch_resp` (its key, length and body), for answers
    /// that must stay under a size budget.
    public static func fetchEntrySize(_ message: KafkaMessage) -> Int {
        let size = message.encoded().count
        return 1 + ProtobufWriter.varintSize(UInt64(size)) + size
    }

    /// The binary form's reader (clients, tests).
    public static func decode(_ frame: [UInt8]) throws(PubSubWireError) -> PubSubResponse {
        var reader = ProtobufReader(frame[...])
        var sequence: Int64 = 0
        var body: Body?
        while let field = try reader.nextField() {
            switch (field.number, field.value) {
            case (1, .varint(let value)):
                sequence = Int64(bitPattern: value)
            case (31...34, .bytes(let payload)):
                body = try decodeBody(field.number, payload)
            default:
                continue
            }
        }
        guard let body else { throw PubSubWireError("the response holds no answer (fields 31 to 34)") }
        return PubSubResponse(sequence: sequence, body: body)
    }

    private static func decodeBody(_ field: Int, _ payload: ArraySlice<UInt8>) throws(PubSubWireError) -> Body {
        var reader = ProtobufReader(payload)
        var code: Int32 = 0
        var text = ""
        var bytes: [UInt8] = []
        var number: Int64 = 0
        var messages: [KafkaMessage] = []
        while let member = try reader.nextField() {
            switch (field, member.number, member.value) {
            case (31, 1, .varint(let value)): code = Int32(truncatingIfNeeded: value)
            case (31, 2, .bytes(let value)): text = String(decoding: value, as: UTF8.self)
            case (32, 1, .bytes(let value)): bytes = Array(value)
            case (33, 1, .bytes(let value)): messages.append(try KafkaMessage.decode(value))
            case (34, 1, .varint(let value)): number = Int64(bitPattern: value)
            default: continue
            }
        }
        switch field {
        case 31: return .error(code: code, message: text)
        case 32: return .pong(state: bytes)
        case 33: return .kafkaFetch(messages)
        default: return .kafkaListOffset(number)
        }
    }
}

/// `KafkaMessage`: offset (1), timestamp (2), key (3), value (4). proto3 bytes have no null: a
/// missing key or value and an empty one read back the same (empty).
public struct KafkaMessage: Equatable, Sendable {
    public var offset: Int64
    public var timestamp: Int64
    public var key: [UInt8]
    public var value: [UInt8]

    public init(offset: Int64, timestamp: Int64, key: [UInt8], value: [UInt8]) {
        self.offset = offset
        self.timestamp = timestamp
        self.key = key
        self.value = value
    }

    func encoded() -> [UInt8] {
        var writer = ProtobufWriter(reservingCapacity: key.count + value.count + 32)
        writer.int64(1, offset)
        writer.int64(2, timestamp)
        writer.bytesField(3, key)
        writer.bytesField(4, value)
        return writer.bytes
    }

    static func decode(_ payload: ArraySlice<UInt8>) throws(PubSubWireError) -> KafkaMessage {
        var reader = ProtobufReader(payload)
        var message = KafkaMessage(offset: 0, timestamp: 0, key: [], value: [])
        while let field = try reader.nextField() {
            switch (field.number, field.value) {
            case (1, .varint(let value)): message.offset = Int64(bitPattern: value)
            case (2, .varint(let value)): message.timestamp = Int64(bitPattern: value)
            case (3, .bytes(let value)): message.key = Array(value)
            case (4, .bytes(let value)): message.value = Array(value)
            default: continue
            }
        }
        return message
    }
}
