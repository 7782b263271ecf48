import PubSubWire
import Testing

/// The codec on its own: the wire format's edge cases and what it refuses.
@Suite struct PubSubCodecTests {
    @Test(arguments: [Int64.min, -2, -1, 0, 1, 127, 128, 16_383, 16_384, Int64(Int32.max) + 1, Int64.max])
    func int64ValuesRoundTrip(value: Int64) throws {
        let request = PubSubRequest(sequence: value, command: .kafkaFetch(topic: "t", partition: 0, offset: value))
        #expect(try PubSubRequest.decode(request.encoded()) == request)
        let response = PubSubResponse(sequence: value, body: .kafkaListOffset(value))
        #expect(try PubSubResponse.decode(response.encoded()) == response)
    }

    @Test func negativeNumbersTakeTenBytesAndAreNotZigzag() throws {
        // int64 (not sint64): -1 is the 64-bit two's complement, ten bytes; zigzag would be one byte.
        let bytes = PubSubResponse(sequence: 0, body: .kafkaListOffset(-1)).encoded()
        #expect(bytes == [0x92, 0x02, 0x0B, 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
    }

    @Test func anInt32IsTheLowBitsOfItsVarint() throws {
        // A writer that sends partition 2^32 + 3 as a 64-bit varint: protobuf keeps the low 32 bits.
        let frame: [UInt8] = [0x8A, 0x02, 0x09, 0x0A, 0x01, 0x74, 0x10, 0x83, 0x80, 0x80, 0x80, 0x10]
        #expect(try PubSubRequest.decode(frame) == PubSubRequest(sequence: 0, command: .kafkaFetch(topic: "t", partition: 3, offset: 0)))
    }

    @Test func theLastOneofMemberWinsAndARepeatedCommandMerges() throws {
        let ping = PubSubRequest(sequence: 1, command: .ping(state: [1])).encoded()
        let fetch = PubSubRequest(sequence: 2, command: .kafkaFetch(topic: "t", partition: 1, offset: 0)).encoded()
        #expect(try PubSubRequest.decode(ping + fetch) == PubSubRequest(sequence: 2, command: .kafkaFetch(topic: "t", partition: 1, offset: 0)))
        // Two cmd_kafka_fetch fields: the second's offset is merged into the first's topic.
        let second: [UInt8] = [0x8A, 0x02, 0x02, 0x18, 0x05]
        #expect(try PubSubRequest.decode(fetch + second) == PubSubRequest(sequence: 2, command: .kafkaFetch(topic: "t", partition: 1, offset: 5)))
    }

    @Test func unknownFieldsOfEveryWireTypeAreSkipped() throws {
        let unknown: [UInt8] = [
            0x10, 0x2A,  // field 2, varint
            0x19, 1, 2, 3, 4, 5, 6, 7, 8,  // field 3, fixed64
            0x25, 1, 2, 3, 4,  // field 4, fixed32
            0x2B, 0x08, 0x01, 0x2C,  // field 5, a group holding a varint
            0xC2, 0x3E, 0x02, 0x68, 0x69,  // field 1000, length-delimited
            0x08, 0x01,  // field 1 with the wire type it should have: sequence 1
            0x0A, 0x00,  // field 1 as length-delimited: not its type, so unknown
        ]
        let command: [UInt8] = [0x82, 0x02, 0x06, 0x0A, 0x02, 0x68, 0x69, 0x10, 0x07]  // cmd_ping{state:"hi", 2: 7}
        #expect(try PubSubRequest.decode(unknown + command) == PubSubRequest(sequence: 1, command: .ping(state: Array("hi".utf8))))
    }

    @Test func aRequestWithoutACommandDecodes() throws {
        #expect(try PubSubRequest.decode([]) == PubSubRequest(sequence: 0, command: nil))
        #expect(try PubSubRequest.decode([0x08, 0x05]) == PubSubRequest(sequence: 5, command: nil))
    }

    @Test(arguments: [
        ([0x08], "truncated: the varint at byte 1 ends early"),
        ([0x08, 0x80], "truncated: the varint at byte 1 ends early"),
        ([0x8A, 0x02, 0x05, 0x0A], "truncated: field 33 at byte 2 declares 5 bytes, 1 remain"),
        ([0x8A, 0x02, 0x03, 0x0A, 0x05, 0x74], "truncated: field 1 at byte 4 declares 5 bytes, 1 remain"),
        ([0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02], "the varint at byte 1 does not fit in 64 bits"),
        ([0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x81, 0x00], "the varint at byte 1 does not fit in 64 bits"),
        ([0x00, 0x01], "invalid field number 0 at byte 0"),
        ([0x0E], "invalid wire type 6 at byte 0"),
        ([0x0C], "end of group 1 at byte 1 without its start"),
        ([0x0B, 0x08, 0x01], "truncated: group 1 has no end"),
        ([0x19, 0x01, 0x02], "truncated: field 3 needs 8 bytes at byte 1, 2 remain"),
        ([0x8A, 0x02, 0x03, 0x0A, 0x01, 0xFF], "cmd_kafka_fetch.topic is not valid UTF-8"),
    ] as [([UInt8], String)])
    func garbageIsRefusedWithAClearError(frame: [UInt8], message: String) {
        #expect(throws: PubSubWireError(message)) { try PubSubRequest.decode(frame) }
    }

    @Test func textIsNotARequest() {
        // A JSON command sent as a binary frame: '{' is field 15 with wire type 3 (a group) that never ends.
        #expect(throws: PubSubWireError.self) { try PubSubRequest.decode(Array(#"{"sequence":1}"#.utf8)) }
    }

    @Test func deeplyNestedGroupsAreRefused() {
        let frame = [UInt8](repeating: 0x0B, count: 40)
        #expect(throws: PubSubWireError("groups nested deeper than 32 at byte 33")) { try PubSubRequest.decode(frame) }
    }

    @Test func aFetchEntrysSizeIsWhatItAddsToTheAnswer() {
        let messages = [KafkaMessage(offset: 5, timestamp: 1_764_597_600_000, key: [1], value: [UInt8](repeating: 7, count: 300))]
        let empty = PubSubResponse(sequence: 1, body: .kafkaFetch([])).encoded().count
        let one = PubSubResponse(sequence: 1, body: .kafkaFetch(messages)).encoded().count
        // The inner length grows from 0 to 300-odd bytes: one more byte for the outer length varint.
        #expect(one - empty == PubSubResponse.fetchEntrySize(messages[0]) + 1)
    }
}
