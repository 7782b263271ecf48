import Encoding
import FunctionCore
import JSON
import Kafka
import KafkaAdminClient
import PubSubWire

/// APISIX's binary frames: a MESSAGE event with `isBase64Encoded: true` carries a `PubSubReq`;
/// its answer is a `PubSubResp`, base64 in the proxy answer with `isBase64Encoded: true`, which
/// the gateway sends back as a binary frame. The commands are the JSON form's, checked alike.
package enum PubSubBinary {
    package static func decode(_ body: String) -> PubSubCommand.Decoded {
        guard let frame = Base64.decode(body) else {
            return PubSubCommand.Decoded(sequence: .number("0"), command: .failure(.badCommand(
                "The message body is not base64, though isBase64Encoded is true")))
        }
        let request: PubSubRequest
        do {
            request = try PubSubRequest.decode(frame)
        } catch {
            return PubSubCommand.Decoded(sequence: .number("0"), command: .failure(.badCommand(
                "The message is not a PubSubReq: \(error.description)")))
        }
        let sequence = JSONValue.number(String(request.sequence))
        do throws(FunctionError) {
            return PubSubCommand.Decoded(sequence: sequence, command: .success(try command(request.command)))
        } catch {
            return PubSubCommand.Decoded(sequence: sequence, command: .failure(.badCommand(error.errorMessage)))
        }
    }

    private static func command(_ command: PubSubRequest.Command?) throws(FunctionError) -> PubSubCommand {
        switch command {
        case nil, .empty?:
            throw .invalidEvent("The message must hold exactly one command: \(PubSubCommand.commandNames.joined(separator: ", "))")
        case let .ping(state)?:
            return .ping(state: state)
        case let .kafkaListOffset(topic, partition, timestamp)?:
            guard timestamp >= -2 else {
                throw .invalidEvent("Field 'cmd_kafka_list_offset.timestamp' must be -1, -2 or a time in ms, got \(timestamp)")
            }
            let query: OffsetQuery = switch timestamp {
            case -1: .latest
            case -2: .earliest
            default: .time(milliseconds: timestamp)
            }
            return .listOffset(
                topic: try TopicName.validate(topic, field: "cmd_kafka_list_offset.topic"),
                partition: try checkedPartition(partition, "cmd_kafka_list_offset"), query: query)
        case let .kafkaFetch(topic, partition, offset)?:
            guard offset >= 0 else {
                throw .invalidEvent("Field 'cmd_kafka_fetch.offset' must be an integer from 0 to \(Int64.max), got \(offset)")
            }
            return .fetch(
                topic: try TopicName.validate(topic, field: "cmd_kafka_fetch.topic"),
                partition: try checkedPartition(partition, "cmd_kafka_fetch"), offset: offset)
        }
    }

    private static func checkedPartition(_ partition: Int32, _ command: String) throws(FunctionError) -> Int32 {
        guard partition >= 0 else {
            throw .invalidEvent("Field '\(command).partition' must be an integer from 0 to \(Int32.max), got \(partition)")
        }
        return partition
    }

    /// The proxy answer carrying the binary `PubSubResp`.
    package static func answer(sequence: JSONValue, _ outcome: Result<PubSubAnswer, PubSubError>) -> [UInt8] {
        let number: Int64 = if case let .number(text) = sequence { Int64(text) ?? 0 } else { 0 }
        let body: PubSubResponse.Body
        switch outcome {
        case let .success(.pong(state)): body = .pong(state: state)
        case let .success(.listOffset(offset)): body = .kafkaListOffset(offset)
        case let .success(.fetch(fetched)): body = .kafkaFetch(fetched.messages)
        case let .failure(error): body = .error(code: Int32(clamping: error.code), message: error.message)
        }
        let frame = PubSubResponse(sequence: number, body: body).encoded()
        var writer = JSONWriter(reservingCapacity: frame.count / 3 * 4 + 64)
        writer.appendASCII("{\"statusCode\":200,\"isBase64Encoded\":true,\"body\":\"")
        writer.appendASCII(Base64.encode(frame))
        writer.appendASCII("\"}")
        return writer.bytes
    }
}
