import Foundation
import PubSubWire
import Testing

/// Frames serialised by Python's `protobuf` runtime (Fixtures/python-protobuf-vectors.json, written
/// by Tests/Web/make_pubsub_vectors.py and checked against it by Tests/Web/test_pubsub_vectors.py):
/// the codec reads each one as protobuf does and writes the same bytes protobuf writes.
@Suite struct PythonVectorTests {
    struct Vector: CustomStringConvertible {
        var name: String
        var bytes: [UInt8]
        var fields: [String: Any]
        var description: String { name }
    }

    static func vectors(_ kind: String) throws -> [Vector] {
        let url = try #require(Bundle.module.url(forResource: "python-protobuf-vectors", withExtension: "json", subdirectory: "Fixtures"))
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
        let root = try #require(document as? [String: Any])
        let entries = try #require(root[kind] as? [[String: Any]])
        return try entries.map { entry in
            let name = try #require(entry["name"] as? String)
            let text = try #require(entry["hex"] as? String)
            let fields = try #require(entry["fields"] as? [String: Any])
            return Vector(name: name, bytes: try hex(text), fields: fields)
        }
    }

    @Test func everyRequestReadsAsProtobufWroteIt() throws {
        let vectors = try Self.vectors("requests")
        #expect(vectors.count == 13)
        for vector in vectors {
            let expected = try Self.request(vector.fields)
            let decoded = try PubSubRequest.decode(vector.bytes)
            #expect(decoded == expected, "\(vector.name)")
            if vector.name != "unknown fields" {
                #expect(expected.encoded() == vector.bytes, "\(vector.name): the codec writes other bytes than protobuf")
            }
        }
    }

    @Test func everyResponseIsWrittenByteForByteAsProtobufWritesIt() throws {
        let vectors = try Self.vectors("responses")
        #expect(vectors.count == 6)
        for vector in vectors {
            let expected = try Self.response(vector.fields)
            #expect(expected.encoded() == vector.bytes, "\(vector.name)")
            #expect(try PubSubResponse.decode(vector.bytes) == expected, "\(vector.name)")
        }
    }

    // MARK: The fixture's field dictionaries (int64 as decimal strings, bytes as hex)

    static func request(_ fields: [String: Any]) throws -> PubSubRequest {
        let sequence = try int64(fields["sequence"])
        let command: PubSubRequest.Command?
        if fields["cmd_empty"] != nil {
            command = .empty
        } else if let ping = fields["cmd_ping"] as? [String: Any] {
            command = .ping(state: try hex(ping["state"] as? String ?? ""))
        } else if let fetch = fields["cmd_kafka_fetch"] as? [String: Any] {
            command = .kafkaFetch(topic: fetch["topic"] as? String ?? "", partition: Int32(try int64(fetch["partition"])),
                                  offset: try int64(fetch["offset"]))
        } else if let list = fields["cmd_kafka_list_offset"] as? [String: Any] {
            command = .kafkaListOffset(topic: list["topic"] as? String ?? "", partition: Int32(try int64(list["partition"])),
                                       timestamp: try int64(list["timestamp"]))
        } else {
            command = nil
        }
        return PubSubRequest(sequence: sequence, command: command)
    }

    static func response(_ fields: [String: Any]) throws -> PubSubResponse {
        let sequence = try int64(fields["sequence"])
        if let error = fields["error_resp"] as? [String: Any] {
            return PubSubResponse(sequence: sequence, body: .error(code: Int32(try int64(error["code"])), message: error["message"] as? String ?? ""))
        }
        if let pong = fields["pong_resp"] as? [String: Any] {
            return PubSubResponse(sequence: sequence, body: .pong(state: try hex(pong["state"] as? String ?? "")))
        }
        if let list = fields["kafka_list_offset_resp"] as? [String: Any] {
            return PubSubResponse(sequence: sequence, body: .kafkaListOffset(try int64(list["offset"])))
        }
        let fetch = try #require(fields["kafka_fetch_resp"] as? [String: Any])
        let messages = try (fetch["messages"] as? [[String: Any]] ?? []).map { message in
            KafkaMessage(offset: try int64(message["offset"]), timestamp: try int64(message["timestamp"]),
                         key: try hex(message["key"] as? String ?? ""), value: try hex(message["value"] as? String ?? ""))
        }
        return PubSubResponse(sequence: sequence, body: .kafkaFetch(messages))
    }

    static func int64(_ value: Any?) throws -> Int64 {
        guard let value else { return 0 }
        let text = try #require(value as? String)
        return try #require(Int64(text))
    }
}

func hex(_ text: String) throws -> [UInt8] {
    var bytes: [UInt8] = []
    var index = text.startIndex
    while index < text.endIndex {
        let next = try #require(text.index(index, offsetBy: 2, limitedBy: text.endIndex))
        let byte = UInt8(text[index..<next], radix: 16)
        bytes.append(try #require(byte))
        index = next
    }
    return bytes
}
