import Encoding
import FunctionCore
import JSON
import Kafka
import KafkaAdminClient

/// Answers API Gateway WebSocket events: `$connect` and `$disconnect` with 200, and each message
/// with one `PubSubResp` (APISIX's pub/sub protocol) as the route response: in protobuf's JSON
/// form for a text message, in its binary form for one with `isBase64Encoded` (`PubSubBinary`).
///
/// A command's failure is an `error_resp` in the answer, never a function error: the connection
/// stays usable and the client matches the answer to its command by `sequence`.
package enum PubSubHandler {
    /// API Gateway carries at most 128 KB per WebSocket message; a fetch answer stays under
    /// 96 KiB of JSON so the envelope and any growth never reach that.
    package static let messageBudgetBytes = 96 * 1024
    /// Room kept for the envelope around the messages (`sequence`, member names).
    package static let envelopeReserveBytes = 256
    package static let maximumFetchRecords = 1000
    package static let fetchTimeout: Duration = .seconds(5)

    /// - Parameter refusedTopics: topics the function keeps to itself (the REST proxy's consumer
    ///   state): a command on one is a 403 `error_resp`.
    package static func handle(
        _ event: WebSocketEvent, clients: any KafkaAccess, refusedTopics: Set<String> = [], invocation: FunctionInvocation
    ) -> [UInt8] {
        switch event.kind {
        case .connect:
            invocation.metrics.action = "ws_connect"
            return proxyAnswer(body: nil)
        case .disconnect:
            invocation.metrics.action = "ws_disconnect"
            return proxyAnswer(body: nil)
        case .message:
            invocation.metrics.action = "ws_message"
            let form: PubSubForm = event.isBase64Encoded ? .binary : .json
            let decoded = form == .binary ? PubSubBinary.decode(event.body) : PubSubCommand.decode(event.body)
            var outcome: Result<PubSubAnswer, PubSubError>
            switch decoded.command {
            case let .success(command):
                outcome = run(command, form: form, clients: clients, refusedTopics: refusedTopics, invocation: invocation)
            case let .failure(error):
                outcome = .failure(error)
            }
            if case let .failure(error) = outcome {
                invocation.metrics.errorType = "PubSub.\(error.code)"
                outcome = .failure(error.forClient { invocation.logger.error("\($0)") })
            }
            switch form {
            case .json: return proxyAnswer(body: render(sequence: decoded.sequence, outcome))
            case .binary: return PubSubBinary.answer(sequence: decoded.sequence, outcome)
            }
        }
    }

    /// What a command that succeeded answers, in `form` where the form decides its size.
    package static func run(
        _ command: PubSubCommand, form: PubSubForm, clients: any KafkaAccess, refusedTopics: Set<String> = [],
        invocation: FunctionInvocation
    ) -> Result<PubSubAnswer, PubSubError> {
        let deadline = invocation.deadline
        switch command {
        case let .listOffset(topic, _, _), let .fetch(topic, _, _):
            if refusedTopics.contains(topic) {
                return .failure(PubSubError(code: 403, message: "Topic '\(topic)' is not available to WebSocket callers"))
            }
        case .ping:
            break
        }
        let started = ContinuousClock.now
        defer { if invocation.metrics.topic != nil { invocation.metrics.kafkaLatency = ContinuousClock.now - started } }
        do {
            switch command {
            case let .ping(state):
                invocation.metrics.action = "ping"
                return .success(.pong(state: state))
            case let .listOffset(topic, partition, query):
                invocation.metrics.action = "list_offset"
                invocation.metrics.topic = topic
                return .success(.listOffset(try listOffset(topic: topic, partition: partition, query: query, clients: clients, deadline: deadline)))
            case let .fetch(topic, partition, offset):
                invocation.metrics.action = "fetch"
                invocation.metrics.topic = topic
                return .success(.fetch(try fetch(
                    topic: topic, partition: partition, offset: offset, form: form, clients: clients, deadline: deadline,
                    invocation: invocation)))
            }
        } catch {
            return .failure(error)
        }
    }

    private static func listOffset(
        topic: String, partition: Int32, query: OffsetQuery, clients: any KafkaAccess, deadline: ContinuousClock.Instant
    ) throws(PubSubError) -> Int64 {
        do {
            return try clients.admin().offset(topic: topic, partition: partition, query: query, deadline: deadline)
        } catch {
            throw failure(error, topic: topic, partition: partition, step: "listing offsets")
        }
    }

    /// Reads from `offset` up to the partition's end as it was when the fetch began, at most
    /// `maximumFetchRecords` records and `messageBudgetBytes` of answer in `form`. At the latest
    /// offset the answer is empty; below the earliest or above the latest it is a 416 naming
    /// `OFFSET_OUT_OF_RANGE`, as Kafka's fetch and APISIX answer.
    private static func fetch(
        topic: String, partition: Int32, offset: Int64, form: PubSubForm, clients: any KafkaAccess,
        deadline: ContinuousClock.Instant, invocation: FunctionInvocation
    ) throws(PubSubError) -> PubSubFetchAnswer {
        var answer = PubSubFetchAnswer(form: form, budget: messageBudgetBytes - envelopeReserveBytes)
        var oversized: (offset: Int64, size: Int)?
        let request = ConsumeRequest(
            topic: topic, partition: partition, start: .exactly(offset), groupID: nil,
            maxRecords: maximumFetchRecords, deadline: min(deadline, .now + fetchTimeout))
        do {
            let consumer = try clients.consumer()
            _ = try consumer.consume(request) { record in
                switch answer.append(record) {
                case .added: return true
                case .full: return false
                case let .tooLarge(size):
                    oversized = (record.offset, size)
                    return false
                }
            }
        } catch let error as KafkaError where error.isOffsetOutOfRange {
            throw PubSubError(code: 416, message: "\(error.name): \(error.message)")
        } catch {
            throw failure(error, topic: topic, partition: partition, step: "fetching")
        }
        if let oversized {
            throw PubSubError(code: 413, message: """
                The record at offset \(oversized.offset) needs \(oversized.size) bytes \(form == .json ? "in JSON" : "in protobuf"), \
                more than the \(messageBudgetBytes) bytes a WebSocket answer may carry; fetch from offset \(oversized.offset + 1) to skip it
                """)
        }
        invocation.metrics.recordsConsumed = answer.count
        invocation.metrics.bytesConsumed = answer.payloadBytes
        return answer
    }

    /// A `KafkaMessage`: bytes fields in base64, as protobuf JSON writes them; a null key or
    /// value is left out (proto3 has no null bytes).
    package static func render(_ record: ConsumedRecord, into writer: inout JSONWriter) {
        writer.appendASCII("{\"offset\":\(record.offset)")
        if let timestamp = record.timestampMs {
            writer.appendASCII(",\"timestamp\":\(timestamp)")
        }
        if let key = record.key {
            writer.appendASCII(",\"key\":")
            writer.writeString(Base64.encode(key))
        }
        if let value = record.value {
            writer.appendASCII(",\"value\":")
            writer.writeString(Base64.encode(value))
        }
        writer.appendASCII("}")
    }

    /// The `error_resp` for a command on `topic`/`partition` that failed while doing `step`.
    private static func failure(_ error: any Error, topic: String, partition: Int32, step: String) -> PubSubError {
        switch error {
        case let error as KafkaError:
            if error.isUnknownTopic { return PubSubError(code: 404, message: "Topic '\(topic)' does not exist") }
            if error.isUnknownPartition { return PubSubError(code: 404, message: "Topic '\(topic)' has no partition \(partition)") }
            return PubSubError(
                code: error.isTimeout ? 504 : 502, message: "Kafka failed while \(step) \(topic)/\(partition): \(error.name): \(error.message)")
        case let error as FunctionError:
            return PubSubError(error)
        default:
            return PubSubError(code: 500, message: "Internal error: \(error)")
        }
    }

    /// `{"sequence":S,<response member>}` with `sequence` echoed as the client wrote it.
    package static func render(sequence: JSONValue, _ outcome: Result<PubSubAnswer, PubSubError>) -> [UInt8] {
        var writer = JSONWriter(reservingCapacity: 256)
        writer.appendASCII("{\"sequence\":")
        writer.write(sequence)
        writer.appendASCII(",")
        switch outcome {
        case let .success(.pong(state)):
            writer.appendASCII("\"pong_resp\":{\"state\":")
            writer.writeString(Base64.encode(state))
            writer.appendASCII("}")
        case let .success(.listOffset(offset)):
            writer.appendASCII("\"kafka_list_offset_resp\":{\"offset\":\(offset)}")
        case let .success(.fetch(answer)):
            writer.writeRaw(answer.jsonMember)
        case let .failure(error):
            writer.appendASCII("\"error_resp\":")
            writer.write(.object([("code", .integer(error.code)), ("message", .string(error.message))]))
        }
        writer.appendASCII("}")
        return writer.bytes
    }

    /// The Lambda proxy answer; API Gateway sends `body` to the client as the route response.
    package static func proxyAnswer(body: [UInt8]?) -> [UInt8] {
        guard let body else { return Array(#"{"statusCode":200}"#.utf8) }
        var writer = JSONWriter(reservingCapacity: body.count + body.count / 4 + 64)
        writer.appendASCII("{\"statusCode\":200,\"body\":")
        writer.writeString(String(decoding: body, as: UTF8.self))
        writer.appendASCII("}")
        return writer.bytes
    }
}
