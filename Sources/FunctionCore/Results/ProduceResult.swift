import FunctionMetrics
import JSON
import Kafka

/// The answer to a produce event: per-record partition and offset (per-partition ranges for
/// generated load), or, when any record was not acknowledged, an error that still lists the
/// delivered ones so a caller can retry just the rest.
package enum ProduceResult {
    package static func render(_ outcome: ProduceAction.Outcome, perPartition: Bool) throws(FunctionError) -> [UInt8] {
        guard outcome.failedCount == 0 else { throw incomplete(outcome, perPartition: perPartition) }
        var head = JSONWriter(reservingCapacity: 512 + outcome.topic.utf8.count)
        head.appendASCII("{\"action\":\"produce\",\"topic\":")
        head.writeString(outcome.topic)
        head.appendASCII(outcome.topicOutcome.createdTopic ? ",\"topic_created\":true" : ",\"topic_created\":false")
        if case .leftToBrokerAutoCreation = outcome.topicOutcome {
            head.appendASCII(",\"topic_creation\":")
            head.writeString(autoCreationNote)
        }
        var tail = JSONWriter(reservingCapacity: 128)
        tail.appendASCII(",\"count\":")
        tail.writeInteger(outcome.recordCount)
        tail.appendASCII(",\"delivered\":")
        tail.writeInteger(outcome.reports.count)
        tail.appendASCII(",\"failed\":0,\"elapsed_ms\":")
        tail.writeInteger(outcome.elapsed.wholeMilliseconds)
        tail.appendASCII("}")
        if perPartition {
            head.appendASCII(",\"partitions\":")
            head.write(partitionRanges(outcome.reports))
            head.writeRaw(tail.bytes)
            return head.bytes
        }
        head.appendASCII(",\"records\":[")
        return tail.bytes.withUnsafeBufferPointer { tail in
            head.bytes.withUnsafeBufferPointer { head in
                writePositions(outcome.reports, between: head, and: tail)
            }
        }
    }

    /// The usual answer, written once, in order, into one buffer sized for the longest it can be
    /// (each entry's integers at their widest; untouched capacity costs no memory): `head`, each
    /// `{"index":,"partition":,"offset":}`, `]` and `tail`.
    private static func writePositions(
        _ reports: [DeliveryReport], between head: UnsafeBufferPointer<UInt8>, and tail: UnsafeBufferPointer<UInt8>
    ) -> [UInt8] {
        let entryBytes = ",{\"index\":,\"partition\":,\"offset\":}".utf8.count + 3 * ByteCursor.maximumDecimalBytes
        let capacity = head.count + reports.count * entryBytes + 1 + tail.count
        return [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
            guard let base = buffer.baseAddress else { return }
            var cursor = ByteCursor(base)
            cursor.put(head)
            for (position, report) in reports.enumerated() {
                guard let acknowledgement = report.acknowledgement else { continue }
                cursor.put(position == 0 ? "{\"index\":" : ",{\"index\":")
                cursor.put(Int64(report.index))
                cursor.put(",\"partition\":")
                cursor.put(Int64(acknowledgement.partition))
                cursor.put(",\"offset\":")
                cursor.put(acknowledgement.offset)
                cursor.put("}")
            }
            cursor.put("]")
            cursor.put(tail)
            initialized = cursor.count
        }
    }

    private static let autoCreationNote = "broker auto-create (this cluster does not support CreateTopics)"

    /// The error for a partly delivered batch: still lists what was written, and what to retry.
    private static func incomplete(_ outcome: ProduceAction.Outcome, perPartition: Bool) -> FunctionError {
        let delivered = outcome.reports.filter(\.isAcknowledged)
        let failed = outcome.failed
        var summary: [(key: String, value: JSONValue)] = [
            ("action", .string("produce")),
            ("topic", .string(outcome.topic)),
            ("topic_created", .bool(outcome.topicOutcome.createdTopic)),
        ]
        if case .leftToBrokerAutoCreation = outcome.topicOutcome {
            summary.append(("topic_creation", .string(autoCreationNote)))
        }
        if perPartition {
            summary.append(("partitions", partitionRanges(delivered)))
        } else {
            summary.append(("records", .array(delivered.compactMap(deliveredEntry))))
        }
        summary.append(("count", .integer(outcome.recordCount)))
        summary.append(("delivered", .integer(delivered.count)))
        summary.append(("failed", .integer(failed.count)))
        summary.append(("elapsed_ms", .integer(outcome.elapsed.wholeMilliseconds)))
        return FunctionError(
            .produceIncomplete,
            "\(failed.count) of \(outcome.recordCount) records were not acknowledged (first error: \(describe(failed.first?.error))); the records under 'records' were written, retry only those under 'failed_records'",
            details: summary + [("failed_records", .array(failed.map(failedEntry)))])
    }

    package static func describe(_ error: KafkaError?) -> String {
        error.map { "\($0.name): \($0.message)" } ?? "unknown"
    }

    private static func deliveredEntry(_ report: DeliveryReport) -> JSONValue? {
        report.acknowledgement.map {
            .object([
                ("index", .integer(report.index)),
                ("partition", .integer($0.partition)),
                ("offset", .integer($0.offset)),
            ])
        }
    }

    private static func failedEntry(_ report: DeliveryReport) -> JSONValue {
        .object([("index", .integer(report.index)), ("error", .string(describe(report.error)))])
    }

    /// Per partition: how many acknowledged records, and the first and last offset.
    private static func partitionRanges(_ reports: [DeliveryReport]) -> JSONValue {
        var ranges: [Int32: (count: Int, first: Int64, last: Int64)] = [:]
        for report in reports {
            guard let acknowledged = report.acknowledgement else { continue }
            let (partition, offset) = (acknowledged.partition, acknowledged.offset)
            let range = ranges[partition] ?? (0, offset, offset)
            ranges[partition] = (range.count + 1, min(range.first, offset), max(range.last, offset))
        }
        return .array(ranges.sorted { $0.key < $1.key }.map { partition, range in
            .object([
                ("partition", .integer(partition)),
                ("count", .integer(range.count)),
                ("first_offset", .integer(range.first)),
                ("last_offset", .integer(range.last)),
            ])
        })
    }
}

extension TopicProvisioner.Outcome {
    package var createdTopic: Bool {
        switch self {
        case .existed: return false
        case .created, .leftToBrokerAutoCreation: return true
        }
    }
}
