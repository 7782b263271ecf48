import JSON
import Kafka

/// The answer to a produce event: per-record partition and offset (per-partition ranges for
/// generated load), or, when any record was not acknowledged, an error that still lists the
/// delivered ones so a caller can retry just the rest.
package enum ProduceResult {
    package static func render(_ outcome: ProduceAction.Outcome, perPartition: Bool) throws(FunctionError) -> [UInt8] {
        guard outcome.failedCount == 0 else { throw incomplete(outcome, perPartition: perPartition) }
        // The usual answer is written once, in order, into a buffer sized for it: at most 62 bytes
        // per record ({"index":,"partition":,"offset":} and three integers) and the envelope.
        let listed = perPartition ? 0 : outcome.reports.count
        var writer = JSONWriter(reservingCapacity: 512 + outcome.topic.utf8.count + listed * 62)
        writer.appendASCII("{\"action\":\"produce\",\"topic\":")
        writer.writeString(outcome.topic)
        writer.appendASCII(outcome.topicOutcome.createdTopic ? ",\"topic_created\":true" : ",\"topic_created\":false")
        if case .leftToBrokerAutoCreation = outcome.topicOutcome {
            writer.appendASCII(",\"topic_creation\":")
            writer.writeString(autoCreationNote)
        }
        if perPartition {
            writer.appendASCII(",\"partitions\":")
            writer.write(partitionRanges(outcome.reports))
        } else {
            writer.appendASCII(",\"records\":[")
            var entry = PositionEntry()
            for (position, report) in outcome.reports.enumerated() {
                guard let acknowledgement = report.acknowledgement else { continue }
                entry.write(first: position == 0, index: report.index, partition: acknowledgement.partition,
                            offset: acknowledgement.offset, to: &writer)
            }
            writer.appendASCII("]")
        }
        writer.appendASCII(",\"count\":")
        writer.writeInteger(outcome.recordCount)
        writer.appendASCII(",\"delivered\":")
        writer.writeInteger(outcome.reports.count)
        writer.appendASCII(",\"failed\":0,\"elapsed_ms\":")
        writer.writeInteger(outcome.elapsed.wholeMilliseconds)
        writer.appendASCII("}")
        return writer.bytes
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

/// `{"index":I,"partition":P,"offset":O}` (comma first unless `first`), formatted in a buffer on the
/// stack and appended once: the answer to a large event has one per record.
private struct PositionEntry {
    mutating func write(first: Bool, index: Int, partition: Int32, offset: Int64, to writer: inout JSONWriter) {
        // 96 bytes: a comma, the labels (35 bytes), the braces and three integers of at most 20 digits.
        var storage: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &storage) { buffer in
            var end = 0
            func put(_ text: StaticString) {
                let count = text.utf8CodeUnitCount
                UnsafeMutableRawBufferPointer(rebasing: buffer[end..<(end + count)])
                    .copyMemory(from: UnsafeRawBufferPointer(start: text.utf8Start, count: count))
                end += count
            }
            func put(_ value: Int64) {
                if value < 0 {
                    buffer[end] = UInt8(ascii: "-")
                    end += 1
                }
                var magnitude = value.magnitude
                var digits = 0
                var scan = magnitude
                repeat {
                    digits += 1
                    scan /= 10
                } while scan > 0
                var at = end + digits
                repeat {
                    at -= 1
                    buffer[at] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                    magnitude /= 10
                } while magnitude > 0
                end += digits
            }
            put(first ? "{\"index\":" : ",{\"index\":")
            put(Int64(index))
            put(",\"partition\":")
            put(Int64(partition))
            put(",\"offset\":")
            put(offset)
            put("}")
            writer.writeRaw(UnsafeRawBufferPointer(rebasing: buffer[0..<end]))
        }
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

extension Duration {
    package var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
