import Encoding
import FunctionCore
import JSON
import Kafka
import KafkaAdminClient
import Logging

/// `POST /topics/{topic}` and `POST /topics/{topic}/partitions/{partition}` in the REST proxy's
/// `binary` and `json` formats: one `offsets` entry per record, 200 even when some records failed
/// (each failed one has `error_code` and `error`), as the proxy answers.
enum RestProxyProduceV2 {
    struct Request {
        var topic: String
        /// Set for the partition route: every record goes there.
        var partition: Int32?
        var records: [OutgoingRecord]
    }

    /// Decodes the body in the format its Content-Type names.
    static func decode(topic: String, partition: Int32?, contentType: String?, body: [UInt8]) throws(HTTPProblem) -> Request {
        let format = try RestProxyMediaType.produceFormat(contentType: contentType)
        let document = try RestProxyBody.object(body)
        if format.needsSchemaRegistry {
            let namesSchema = ["key_schema", "value_schema", "key_schema_id", "value_schema_id"].contains { name in
                if let value = document[name], value != .null { return true }
                return false
            }
            throw namesSchema ? RestProxyProblem.schemaRegistryMissing : RestProxyProblem.schemaSerializerMissing
        }
        let entries: [JSONValue]
        switch document["records"] {
        case nil, .null?: entries = []
        case let .array(array)?: entries = array
        default: throw RestProxyProblem.invalidBody("records must be an array of records")
        }
        guard !entries.isEmpty else { throw RestProxyProblem.invalidBody("records may not be empty") }
        guard entries.count <= RecordsDecoder.maximumRecords else {
            throw RestProxyProblem.invalidBody("records must hold at most \(RecordsDecoder.maximumRecords) records")
        }
        var records: [OutgoingRecord] = []
        records.reserveCapacity(entries.count)
        for entry in entries {
            guard case .object = entry else { throw RestProxyProblem.invalidBody("each record must be a JSON object") }
            var recordPartition = partition
            if partition == nil, let value = entry["partition"], value != .null {
                guard case let .number(text) = value, let number = Int32(text), number >= 0 else {
                    throw RestProxyProblem.invalidBody("partition must be a non-negative integer")
                }
                recordPartition = number
            }
            records.append(OutgoingRecord(
                key: try serialize(entry["key"], format: format), value: try serialize(entry["value"], format: format),
                partition: recordPartition))
        }
        return Request(topic: topic, partition: partition, records: records)
    }

    /// The bytes Kafka stores for one key or value; nil for JSON null or a missing member.
    static func serialize(_ value: JSONValue?, format: EmbeddedFormat) throws(HTTPProblem) -> [UInt8]? {
        guard let value, value != .null else { return nil }
        switch format {
        case .json:
            return JSONWriter.serialize(value)
        default:
            guard case let .string(text) = value else {
                throw HTTPProblem(400, "Bad Request: data=\(String(decoding: JSONWriter.serialize(value), as: UTF8.self).truncatedForMessage) is not a base64 string.")
            }
            guard let bytes = Base64.decode(text) else {
                throw HTTPProblem(400, "Bad Request: data=\"\(text.truncatedForMessage)\" is not a valid base64 string.")
            }
            return bytes
        }
    }

    static func handle(_ request: Request, clients: any KafkaAccess, invocation: FunctionInvocation) throws -> APIGatewayResponse {
        let deadline = invocation.deadline
        if !clients.isKnownTopic(request.topic) || request.partition != nil {
            guard let partitions = try clients.admin().lookUpTopic(request.topic, deadline: deadline).topic?.partitions else {
                throw RestProxyProblem.topicNotFound
            }
            if let partition = request.partition, !partitions.contains(partition) {
                throw RestProxyProblem.partitionNotFound
            }
            clients.rememberTopic(request.topic)
        }
        var records = request.records
        if let traceID = invocation.traceID {
            let name = TraceHeader.name
            for index in records.indices { records[index].headers.append((name, Array(traceID.utf8))) }
        }
        let reports = try clients.producer().send(topic: request.topic, records: records, deadline: deadline)
        var delivered = 0
        var deliveredBytes = 0
        var firstFailure: KafkaError?
        let offsets: [JSONValue] = reports.map { report in
            switch report.outcome {
            case let .acknowledged(acknowledgement):
                delivered += 1
                if records.indices.contains(report.index) {
                    deliveredBytes += (records[report.index].key?.count ?? 0) + (records[report.index].value?.count ?? 0)
                }
                return .object([
                    ("partition", .integer(acknowledgement.partition)), ("offset", .integer(acknowledgement.offset)),
                    ("error_code", .null), ("error", .null),
                ])
            case let .failed(error):
                firstFailure = firstFailure ?? error
                // The message may name brokers or credential sources: the log has it, the caller the code's text.
                return .object([
                    ("partition", .null), ("offset", .null),
                    ("error_code", .integer(error.isRetriable ? 50003 : 50002)),
                    ("error", .string(error.standardDescription)),
                ])
            }
        }
        invocation.metrics.recordsProduced = delivered
        invocation.metrics.bytesProduced = deliveredBytes
        if let firstFailure {
            invocation.logger.error("POST /topics/\(request.topic): \(reports.count - delivered) of \(reports.count) records not written; first: \(firstFailure)")
        }
        let body = JSONWriter.serialize(.object([
            ("offsets", .array(offsets)), ("key_schema_id", .null), ("value_schema_id", .null),
        ]))
        return .json(200, body)
    }
}

/// Request bodies of the REST proxy routes.
enum RestProxyBody {
    /// The body as a JSON object; an empty body is an empty object.
    static func object(_ body: [UInt8]) throws(HTTPProblem) -> JSONValue {
        guard !body.isEmpty else { return .object([]) }
        let value: JSONValue
        do {
            value = try JSONParser.parse(body)
        } catch {
            throw RestProxyProblem.malformedBody("the body is not valid JSON: \(error)")
        }
        guard case .object = value else { throw RestProxyProblem.malformedBody("the body must be a JSON object") }
        if let duplicate = value.firstDuplicateKey {
            throw RestProxyProblem.malformedBody("the member '\(duplicate.truncatedForMessage)' appears more than once")
        }
        return value
    }
}
