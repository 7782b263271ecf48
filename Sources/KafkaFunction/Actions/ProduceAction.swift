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

        var failed: [DeliveryReport] { reports.filter { $0.error != nil } }
    }

    static func run(_ request: ProduceRequest, clients: KafkaClients, deadline: ContinuousClock.Instant) throws(FunctionError) -> Outcome {
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
        return Outcome(
            topic: request.topic, topicOutcome: topicOutcome, recordCount: records.count,
            reports: reports, elapsed: ContinuousClock.now - started)
    }
}
