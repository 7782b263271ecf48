import Kafka

/// Sends records, waits for the broker's acknowledgement of each, and says where each landed.
enum ProduceAction {
    struct Outcome {
        var topic: String
        var topicOutcome: TopicProvisioner.Outcome
        var recordCount: Int
        /// One per record, in the order sent.
        var reports: [DeliveryReport]
        var elapsed: Duration
        /// Key and value bytes of the acknowledged records.
        var deliveredBytes: Int

        var failed: [DeliveryReport] { reports.filter { $0.error != nil } }
    }

    static let traceHeaderName = "X-Amzn-Trace-Id"

    /// - Parameter traceID: when set, added as an `X-Amzn-Trace-Id` header to every record
    ///   that does not carry one already.
    static func run(
        _ request: ProduceRequest, clients: KafkaClients, deadline: ContinuousClock.Instant, traceID: String? = nil
    ) throws(FunctionError) -> Outcome {
        let started = ContinuousClock.now
        let topicOutcome = try TopicProvisioner.ensure(request, clients: clients, deadline: deadline)
        var records: [OutgoingRecord]
        switch request.records {
        case let .supplied(supplied): records = supplied
        case .samples: records = SampleRecords.records
        case let .generated(count, valueBytes): records = SampleRecords.generated(count: count, valueBytes: valueBytes)
        }
        if let traceID {
            addTraceHeader(traceID, to: &records)
        }
        let reports = try clients.producer().send(topic: request.topic, records: records, deadline: deadline)
        if case .leftToBrokerAutoCreation = topicOutcome, reports.contains(where: { $0.error == nil }) {
            clients.knownTopics.insert(request.topic)
        }
        return Outcome(
            topic: request.topic, topicOutcome: topicOutcome, recordCount: records.count,
            reports: reports, elapsed: ContinuousClock.now - started,
            deliveredBytes: reports.reduce(0) { total, report in
                guard report.error == nil, records.indices.contains(report.index) else { return total }
                return total + (records[report.index].key?.count ?? 0) + (records[report.index].value?.count ?? 0)
            })
    }

    private static func addTraceHeader(_ traceID: String, to records: inout [OutgoingRecord]) {
        let value = Array(traceID.utf8)
        let name = traceHeaderName.lowercased()
        for index in records.indices where !records[index].headers.contains(where: { $0.0.lowercased() == name }) {
            records[index].headers.append((traceHeaderName, value))
        }
    }
}
