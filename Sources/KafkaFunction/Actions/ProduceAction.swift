import Kafka

/// Sends the event's records, waits for the broker's acknowledgement of each, and reports
/// where each one landed. If any record is not acknowledged the answer is an error that
/// still lists the delivered ones, so a caller can retry just the rest.
enum ProduceAction {
    static func run(_ request: ProduceRequest, clients: KafkaClients, deadline: ContinuousClock.Instant) throws(FunctionError) -> [UInt8] {
        let started = ContinuousClock.now
        let topicOutcome = try TopicProvisioner.ensure(request, clients: clients, deadline: deadline)

        let records: [OutgoingRecord]
        switch request.records {
        case let .supplied(supplied): records = supplied
        case .samples: records = SampleRecords.records
        case let .generated(count, valueBytes): records = SampleRecords.generated(count: count, valueBytes: valueBytes)
        }

        let reports = try clients.producer().send(topic: request.topic, records: records, deadline: deadline)
        if case .leftToBrokerAutoCreation = topicOutcome, reports.contains(where: { $0.error == nil }) {
            clients.knownTopics.insert(request.topic)
        }
        let elapsed = ContinuousClock.now - started
        let failed = reports.filter { $0.error != nil }

        var summary: [(key: String, value: JSONValue)] = [
            ("action", .string("produce")),
            ("topic", .string(request.topic)),
            ("topic_created", .bool(topicOutcome.createdTopic)),
        ]
        if case .leftToBrokerAutoCreation = topicOutcome {
            summary.append(("topic_creation", .string("broker auto-create (CreateTopics is not supported by this cluster)")))
        }
        if case .generated = request.records {
            summary.append(("partitions", partitionRanges(reports.filter { $0.error == nil })))
        } else {
            summary.append(("records", .array(reports.filter { $0.error == nil }.map(deliveredEntry))))
        }
        summary.append(("count", .integer(records.count)))
        summary.append(("delivered", .integer(records.count - failed.count)))
        summary.append(("failed", .integer(failed.count)))
        summary.append(("elapsed_ms", .integer(elapsed.wholeMilliseconds)))

        guard failed.isEmpty else {
            let firstError = failed.first?.error.map { "\($0.name): \($0.message)" } ?? "unknown"
            throw FunctionError(
                .produceIncomplete,
                "\(failed.count) of \(records.count) records were not acknowledged (first error: \(firstError)); the records under 'records' were written, retry only those under 'failed_records'",
                details: summary + [("failed_records", .array(failed.map(failedEntry)))])
        }
        return JSONWriter.serialize(.object(summary))
    }

    private static func deliveredEntry(_ report: DeliveryReport) -> JSONValue {
        .object([
            ("index", .integer(report.index)),
            ("partition", .integer(report.partition)),
            ("offset", .integer(report.offset)),
        ])
    }

    private static func failedEntry(_ report: DeliveryReport) -> JSONValue {
        .object([
            ("index", .integer(report.index)),
            ("error", .string(report.error.map { "\($0.name): \($0.message)" } ?? "unknown")),
        ])
    }

    /// Per partition: how many records, and the first and last offset.
    private static func partitionRanges(_ delivered: [DeliveryReport]) -> JSONValue {
        var ranges: [Int32: (count: Int, first: Int64, last: Int64)] = [:]
        for report in delivered {
            if let range = ranges[report.partition] {
                ranges[report.partition] = (range.count + 1, min(range.first, report.offset), max(range.last, report.offset))
            } else {
                ranges[report.partition] = (1, report.offset, report.offset)
            }
        }
        return .array(ranges.keys.sorted().compactMap { partition in
            ranges[partition].map { range in
                .object([
                    ("partition", .integer(partition)),
                    ("count", .integer(range.count)),
                    ("first_offset", .integer(range.first)),
                    ("last_offset", .integer(range.last)),
                ])
            }
        })
    }
}

extension TopicProvisioner.Outcome {
    var createdTopic: Bool {
        switch self {
        case .existed: return false
        case .created, .leftToBrokerAutoCreation: return true
        }
    }
}

extension Duration {
    var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
