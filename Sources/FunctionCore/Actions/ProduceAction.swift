import JSON
import Kafka

/// Sends records, waits for the broker's acknowledgement of each, and says where each landed.
package enum ProduceAction {
    package struct Outcome {
        package var topic: String
        package var topicOutcome: TopicProvisioner.Outcome
        package var recordCount: Int
        /// One per record, in the order sent.
        package var reports: [DeliveryReport]
        package var elapsed: Duration
        /// Key and value bytes of the acknowledged records.
        package var deliveredBytes: Int

        package var failed: [DeliveryReport] { reports.filter { !$0.isAcknowledged } }
        package var failedCount: Int { reports.count(where: { !$0.isAcknowledged }) }
    }

    /// - Parameter traceID: when set, added as an `X-Amzn-Trace-Id` header to every record
    ///   that does not carry one already.
    package static func run(
        _ request: ProduceRequest, clients: any KafkaAccess, deadline: ContinuousClock.Instant, traceID: String? = nil
    ) throws(FunctionError) -> Outcome {
        let started = ContinuousClock.now
        let topicOutcome = try TopicProvisioner.ensure(request, clients: clients, deadline: deadline)
        let producer = try clients.producer()
        let reports: [DeliveryReport]
        let recordCount: Int
        var deliveredBytes = 0
        switch request.records {
        case let .supplied(records):
            let traceHeader = traceID.map { (name: TraceHeader.name, value: $0) }
            reports = records.withProducible(traceHeader: traceHeader) { view in
                producer.send(topic: request.topic, records: view, deadline: deadline)
            }
            recordCount = records.count
            for report in reports where report.isAcknowledged && report.index < records.count {
                deliveredBytes += records.payloadBytes(report.index)
            }
        case .samples:
            var records = SampleRecords.records
            if let traceID {
                addTraceHeader(traceID, to: &records)
            }
            reports = producer.send(topic: request.topic, records: records, deadline: deadline)
            recordCount = records.count
            for report in reports where report.isAcknowledged && records.indices.contains(report.index) {
                deliveredBytes += (records[report.index].key?.count ?? 0) + (records[report.index].value?.count ?? 0)
            }
        case let .generated(count, valueBytes):
            reports = SampleRecords.withGenerated(count: count, valueBytes: valueBytes) { records in
                producer.send(topic: request.topic, records: records, deadline: deadline)
            }
            recordCount = count
            deliveredBytes = reports.count(where: \.isAcknowledged) * valueBytes
        }
        MemoryRelease.afterSend(recordCount: recordCount)
        if case .leftToBrokerAutoCreation = topicOutcome, reports.contains(where: \.isAcknowledged) {
            clients.rememberTopic(request.topic)
        }
        return Outcome(
            topic: request.topic, topicOutcome: topicOutcome, recordCount: recordCount,
            reports: reports, elapsed: ContinuousClock.now - started, deliveredBytes: deliveredBytes)
    }

    private static func addTraceHeader(_ traceID: String, to records: inout [OutgoingRecord]) {
        let value = Array(traceID.utf8)
        let name = TraceHeader.name.lowercased()
        for index in records.indices where !records[index].headers.contains(where: { $0.0.lowercased() == name }) {
            records[index].headers.append((TraceHeader.name, value))
        }
    }
}
