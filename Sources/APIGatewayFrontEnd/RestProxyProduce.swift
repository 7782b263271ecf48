import FunctionCore
import JSON
import Kafka
import Logging

/// `POST /topics/{topic}` with a Kafka REST proxy v2 JSON body, answered like the proxy does:
/// one `offsets` entry per record, with `error_code`/`error` for a record that was not written.
package enum RestProxyProduce {
    package static let acceptedContentTypes = ["application/vnd.kafka.json.v2+json", "application/json"]

    /// The records of a produce request, after checking its content type and body.
    package static func decode(_ request: APIGatewayRequest) throws(HTTPProblem) -> SuppliedRecords {
        let contentType = request.headers["content-type"]?.split(separator: ";").first.map { $0.trimmingSpaces().lowercased() }
        guard let contentType, acceptedContentTypes.contains(contentType) else {
            throw HTTPProblem(415, "Content-Type must be application/vnd.kafka.json.v2+json or application/json")
        }
        return try decodeRecords(request.body)
    }

    package static func handle(
        _ records: SuppliedRecords, topic: String, clients: any KafkaAccess, invocation: FunctionInvocation
    ) throws -> APIGatewayResponse {
        let outcome = try ProduceAction.run(
            ProduceRequest(topic: topic, records: .supplied(records), numPartitions: 1, replicationFactor: -1, createTopic: false),
            clients: clients, deadline: invocation.deadline, traceID: invocation.traceID)
        invocation.metrics.recordsProduced = outcome.reports.count - outcome.failedCount
        invocation.metrics.bytesProduced = outcome.deliveredBytes
        let offsets: [JSONValue] = outcome.reports.map { report in
            switch report.outcome {
            case let .failed(error):
                // The message may name brokers or credential sources: the log has it, the caller the code's text.
                return .object([
                    ("partition", .null), ("offset", .null),
                    ("error_code", .integer(error.isRetriable ? 50003 : 50002)),
                    ("error", .string(error.standardDescription)),
                ])
            case let .acknowledged(acknowledgement):
                return .object([
                    ("partition", .integer(acknowledgement.partition)), ("offset", .integer(acknowledgement.offset)),
                    ("error_code", .null), ("error", .null),
                ])
            }
        }
        let body = JSONWriter.serialize(.object([
            ("key_schema_id", .null), ("value_schema_id", .null), ("offsets", .array(offsets)),
        ]))
        let failed = outcome.failed
        if failed.isEmpty { return .json(200, body) }
        if let first = failed.first?.error {
            invocation.logger.error("POST /topics/\(topic): \(failed.count) of \(outcome.reports.count) records not written; first: \(first)")
        }
        return .json(failed.allSatisfy { $0.error?.isTimeout == true } ? 504 : 502, body)
    }

    private static func decodeRecords(_ body: [UInt8]) throws(HTTPProblem) -> SuppliedRecords {
        let scanned: ScannedEvent
        do {
            scanned = try ScannedEvent.scan(body, readsDetail: false)
        } catch {
            throw HTTPProblem(400, "The request body is not valid JSON: \(error)")
        }
        do throws(FunctionError) {
            var reader = try ObjectReader(scanned.document, path: "")
            guard try reader.array("records") != nil else {
                throw FunctionError.invalidEvent("Field 'records' is required: {\"records\":[{\"value\":...}]}")
            }
            try reader.finish()
            switch scanned.records {
            case let .success(records)?:
                return records
            case .failure(.empty)?, .failure(.tooMany)?, nil:
                throw FunctionError.invalidEvent("Field 'records' must hold 1 to \(RecordsDecoder.maximumRecords) records")
            case let .failure(.record(error))?:
                throw error
            }
        } catch {
            throw HTTPProblem(400, error.errorMessage)
        }
    }
}

extension Substring {
    package func trimmingSpaces() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
