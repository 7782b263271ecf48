import Encoding
import FunctionCore
import JSON
import Kafka
import KafkaAdminClient

/// `GET /consumers/{group}/instances/{instance}/records`: the next records of the instance's
/// subscription or assignment, from where its last read stopped.
///
/// The positions the answer moves to are written to the state topic before the answer leaves:
/// a read that fails to save them returns nothing, so the next read returns the same records.
enum ConsumerInstanceRead {
    /// The records of one call at most, whatever `max_bytes` says.
    private static let maximumRecords = 100_000

    static func read(group: String, instance: String, _ call: RestProxyCall) throws -> APIGatewayResponse {
        let format = try RestProxyMediaType.readFormat(accept: call.request.headers["accept"])
        var state = try ConsumerInstanceRoutes.existing(group: group, instance: instance, call)
        guard format == state.format else { throw RestProxyProblem.formatMismatch }
        let timeoutMs = try queryInteger(call.request.query["timeout"], name: "timeout") ?? -1
        let maxBytes = try queryInteger(call.request.query["max_bytes"], name: "max_bytes") ?? -1
        // The answer is escaped once more inside the proxy integration's JSON.
        var budget = ConsumeAction.directResponseBudget / 2
        if maxBytes > 0 { budget = min(budget, Int(clamping: maxBytes)) }
        let wait = timeoutMs >= 0 ? timeoutMs : state.requestTimeoutMs
        // Lookups before the fetch need a moment even when the caller asks for no wait.
        let readDeadline = min(call.deadline, ContinuousClock.now + .milliseconds(max(wait, 1000)))

        var writer = JSONWriter(reservingCapacity: 4096)
        writer.appendASCII("[")
        var used = 0
        var count = 0
        var notJSON: (topic: String, partition: Int32, offset: Int64)?
        var advanced: [TopicPartitionName: Int64] = [:]
        let consumer = try call.clients.consumer()
        for (topic, only) in try readPlan(state, call) {
            var request = ConsumeRequest(
                topic: topic, start: state.autoOffsetReset == "earliest" ? .beginning : .end,
                maxRecords: maximumRecords - count, deadline: readDeadline)
            request.partitions = only
            request.positions = try startPositions(topic: topic, only: only, state: state, call)
            let result: ConsumeResult
            do throws(KafkaError) {
                result = try consumer.consume(request) { record in
                    let size = (record.key?.count ?? 0) + (record.value?.count ?? 0)
                    let rendered = (format == .binary ? size / 3 * 4 + 8 : size) + topic.utf8.count + 80
                    if count > 0 && used + rendered > budget { return false }
                    if format == .json, !isJSON(record.key) || !isJSON(record.value) {
                        notJSON = (topic, record.partition, record.offset)
                        return false
                    }
                    if count > 0 { writer.appendASCII(",") }
                    render(record, topic: topic, format: format, into: &writer)
                    used += rendered
                    count += 1
                    return true
                }
            } catch {
                // A subscribed topic that does not exist (yet) has no records, as with Kafka's consumer.
                if error.isUnknownTopic { continue }
                throw error
            }
            for (partition, next) in result.nextOffsets {
                let name = TopicPartitionName(topic: topic, partition: partition)
                if state.positions[name] != next { advanced[name] = next }
                state.positions[name] = next
            }
            if result.stoppedEarly || count >= maximumRecords { break }
        }
        writer.appendASCII("]")
        try call.store.save(state, deadline: call.deadline)
        if let notJSON, count == 0 {
            throw HTTPProblem(500, "record \(notJSON.topic)/\(notJSON.partition)@\(notJSON.offset) is not JSON, and the instance reads the json format", errorCode: 50002)
        }
        if state.autoCommit, !advanced.isEmpty {
            do {
                try ConsumerInstanceRoutes.commitToGroup(advanced, group: group, call)
            } catch {
                call.logger.warning("REST proxy auto commit failed", metadata: ["group": "\(group)", "error": "\(error)"])
            }
        }
        call.invocation.metrics.recordsConsumed = count
        call.invocation.metrics.bytesConsumed = used
        var response = APIGatewayResponse.json(200, writer.bytes)
        response.contentType = format.mediaType
        return response
    }

    /// Per topic, the partitions to read (nil: all of them).
    private static func readPlan(_ state: ConsumerInstanceState, _ call: RestProxyCall) throws -> [(String, Set<Int32>?)] {
        if let assignment = state.assignment {
            return Dictionary(grouping: assignment, by: \.topic).sorted { $0.key < $1.key }.map { ($0.key, Set($0.value.map(\.partition))) }
        }
        return try ConsumerInstanceRoutes.subscribedTopics(state, call).map { ($0, nil) }
    }

    /// The instance's positions in `topic`; for a topic it has none in yet, the group's committed offsets.
    private static func startPositions(
        topic: String, only: Set<Int32>?, state: ConsumerInstanceState, _ call: RestProxyCall
    ) throws -> [Int32: Int64] {
        var positions: [Int32: Int64] = [:]
        for (name, offset) in state.positions where name.topic == topic { positions[name.partition] = offset }
        if !positions.isEmpty { return positions }
        let partitions: [Int32]
        if let only {
            partitions = only.sorted()
        } else {
            guard let metadata = try call.clients.admin().lookUpTopic(topic, deadline: call.deadline).topic else { return [:] }
            partitions = metadata.partitions
        }
        return try call.clients.consumer().committed(groupID: state.group, topic: topic, partitions: partitions, deadline: call.deadline)
    }

    /// `{"topic":...,"key":...,"value":...,"partition":...,"offset":...}`, key and value in the instance's format.
    private static func render(_ record: ConsumedRecord, topic: String, format: EmbeddedFormat, into writer: inout JSONWriter) {
        writer.appendASCII("{\"topic\":")
        writer.writeString(topic)
        writer.appendASCII(",\"key\":")
        write(record.key, format: format, into: &writer)
        writer.appendASCII(",\"value\":")
        write(record.value, format: format, into: &writer)
        writer.appendASCII(",\"partition\":")
        writer.writeInteger(record.partition)
        writer.appendASCII(",\"offset\":")
        writer.writeInteger(record.offset)
        writer.appendASCII("}")
    }

    private static func write(_ bytes: [UInt8]?, format: EmbeddedFormat, into writer: inout JSONWriter) {
        guard let bytes else {
            writer.appendASCII("null")
            return
        }
        if format == .json {
            writer.writeRaw(bytes)
        } else {
            writer.writeString(Base64.encode(bytes))
        }
    }

    private static func isJSON(_ bytes: [UInt8]?) -> Bool {
        guard let bytes else { return true }
        return bytes.withUnsafeBufferPointer(JSONParser.isValid)
    }

    private static func queryInteger(_ text: String?, name: String) throws(HTTPProblem) -> Int64? {
        guard let text else { return nil }
        guard let value = Int64(text) else {
            throw HTTPProblem(400, "Query parameter '\(name)' must be an integer, got '\(text.truncatedForMessage)'")
        }
        return value
    }
}
