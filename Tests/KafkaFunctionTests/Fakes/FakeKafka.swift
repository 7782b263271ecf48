import CRdKafka
import FunctionCore
import Synchronization

@testable import Kafka
@testable import KafkaAdminClient

/// An in-memory Kafka behind the `KafkaAccess` seam: topics of partitions of records, committed
/// group offsets, a log of the calls made, and the failures a test asks for.
final class FakeKafka: KafkaAccess {
    enum CreateTopics: Sendable {
        /// CreateTopics creates the topic.
        case create
        /// Another client created it first.
        case alreadyExists
        /// The broker has no CreateTopics (librdkafka's mock cluster).
        case unsupported
    }

    private struct State {
        var topics: [String: [[ConsumedRecord]]] = [:]
        var known: Set<String> = []
        var committed: [String: Int64] = [:]
        var calls: [String] = []
    }

    private let state = Mutex(State())
    private let controllerIsABroker: Bool
    private let createTopics: CreateTopics
    /// Every admin and consumer call fails with this, when set.
    private let failure: KafkaError?

    init(topics: [String: Int] = [:], controllerIsABroker: Bool = true, createTopics: CreateTopics = .create, failure: KafkaError? = nil) {
        self.controllerIsABroker = controllerIsABroker
        self.createTopics = createTopics
        self.failure = failure
        state.withLock { state in
            for (name, partitions) in topics { state.topics[name] = Array(repeating: [], count: partitions) }
        }
    }

    /// The calls made so far, as `name argument...` lines.
    var calls: [String] { state.withLock { $0.calls } }

    func records(_ topic: String, partition: Int32 = 0) -> [ConsumedRecord] {
        state.withLock { $0.topics[topic]?[Int(partition)] ?? [] }
    }

    func append(_ topic: String, partition: Int32 = 0, key: String?, value: [UInt8]?, timestampMs: Int64 = 1_764_597_600_000) {
        state.withLock { state in
            let offset = Int64(state.topics[topic]?[Int(partition)].count ?? 0)
            state.topics[topic]?[Int(partition)].append(ConsumedRecord(
                partition: partition, offset: offset, timestampMs: timestampMs + offset,
                key: key.map { Array($0.utf8) }, value: value, headers: []))
        }
    }

    func producer() throws(FunctionError) -> any RecordProducer { Producer(kafka: self) }
    func consumer() throws(FunctionError) -> any RecordConsumer { Consumer(kafka: self) }
    func dedicatedConsumer() throws(FunctionError) -> any RecordConsumer { Consumer(kafka: self) }
    func admin() throws(FunctionError) -> any KafkaAdministration { Admin(kafka: self) }
    func isKnownTopic(_ topic: String) -> Bool { state.withLock { $0.known.contains(topic) } }
    func rememberTopic(_ topic: String) { state.withLock { _ = $0.known.insert(topic) } }

    private func log(_ call: String) {
        state.withLock { $0.calls.append(call) }
    }

    static let unknownTopic = KafkaError(code: RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, message: "Broker: Unknown topic or partition")
    static let timedOut = KafkaError(code: RD_KAFKA_RESP_ERR__TIMED_OUT, message: "Local: Timed out talking to broker b-1.secret-cluster:9098")

    private struct Admin: KafkaAdministration {
        let kafka: FakeKafka

        func lookUpTopic(_ topic: String, deadline: ContinuousClock.Instant) throws(KafkaError) -> TopicLookup {
            kafka.log("lookUpTopic \(topic)")
            if let failure = kafka.failure { throw failure }
            let partitions = kafka.state.withLock { $0.topics[topic]?.count }
            return TopicLookup(
                topic: partitions.map { TopicMetadata(name: topic, partitions: (0..<Int32($0)).map { $0 }) },
                controllerIsABroker: kafka.controllerIsABroker)
        }

        func listTopics(deadline: ContinuousClock.Instant) throws(KafkaError) -> [TopicMetadata] {
            kafka.log("listTopics")
            if let failure = kafka.failure { throw failure }
            return kafka.state.withLock { state in
                state.topics.keys.sorted().map { TopicMetadata(name: $0, partitions: (0..<Int32(state.topics[$0]?.count ?? 0)).map { $0 }) }
            }
        }

        func createTopic(
            _ name: String, partitions: Int32, replicationFactor: Int16, deadline: ContinuousClock.Instant
        ) throws(KafkaError) -> CreateTopicOutcome {
            kafka.log("createTopic \(name) \(partitions) \(replicationFactor)")
            if let failure = kafka.failure { throw failure }
            switch kafka.createTopics {
            case .unsupported:
                throw KafkaError(code: RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE, message: "CreateTopics not supported")
            case .create, .alreadyExists:
                kafka.state.withLock { state in
                    if state.topics[name] == nil { state.topics[name] = Array(repeating: [], count: Int(partitions)) }
                }
                return kafka.createTopics == .create ? .created : .alreadyExists
            }
        }

        func createTopic(
            _ name: String, partitions: Int32, replicationFactor: Int16, configs: [(String, String)], deadline: ContinuousClock.Instant
        ) throws(KafkaError) -> CreateTopicOutcome {
            try createTopic(name, partitions: partitions, replicationFactor: replicationFactor, deadline: deadline)
        }

        func brokerIDs(deadline: ContinuousClock.Instant) throws(KafkaError) -> [Int32] {
            kafka.log("brokerIDs")
            if let failure = kafka.failure { throw failure }
            return [1]
        }

        /// One broker (1) leads and holds every partition.
        func partitionDetails(topic: String, deadline: ContinuousClock.Instant) throws(KafkaError) -> [PartitionDetail]? {
            kafka.log("partitionDetails \(topic)")
            if let failure = kafka.failure { throw failure }
            guard let count = kafka.state.withLock({ $0.topics[topic]?.count }) else { return nil }
            return (0..<Int32(count)).map { PartitionDetail(partition: $0, leader: 1, replicas: [1], inSyncReplicas: [1]) }
        }

        func topicConfigs(topic: String, deadline: ContinuousClock.Instant) throws(KafkaError) -> [(name: String, value: String?)] {
            kafka.log("topicConfigs \(topic)")
            if let failure = kafka.failure { throw failure }
            return [("cleanup.policy", "delete")]
        }

        func offsets(topic: String, deadline: ContinuousClock.Instant) throws(KafkaError) -> [PartitionOffsets] {
            kafka.log("offsets \(topic)")
            if let failure = kafka.failure { throw failure }
            guard let partitions = kafka.state.withLock({ $0.topics[topic] }) else { throw FakeKafka.unknownTopic }
            return partitions.enumerated().map { PartitionOffsets(partition: Int32($0.offset), earliest: 0, latest: Int64($0.element.count)) }
        }

        func offset(topic: String, partition: Int32, query: OffsetQuery, deadline: ContinuousClock.Instant) throws(KafkaError) -> Int64 {
            kafka.log("offset \(topic) \(partition) \(query)")
            if let failure = kafka.failure { throw failure }
            guard let partitions = kafka.state.withLock({ $0.topics[topic] }) else { throw FakeKafka.unknownTopic }
            let records = partitions[Int(partition)]
            switch query {
            case .earliest: return 0
            case .latest: return Int64(records.count)
            case let .time(milliseconds):
                return records.first { ($0.timestampMs ?? 0) >= milliseconds }?.offset ?? Int64(records.count)
            }
        }
    }

    private struct Producer: RecordProducer {
        let kafka: FakeKafka

        func send(topic: String, records: [OutgoingRecord], deadline: ContinuousClock.Instant) -> [DeliveryReport] {
            kafka.log("send \(topic) \(records.count)")
            return records.enumerated().map { index, record in
                store(topic, index: index, partition: record.partition, key: record.key, value: record.value, headers: record.headers)
            }
        }

        func send(topic: String, records: some ProducibleRecords, deadline: ContinuousClock.Instant) -> [DeliveryReport] {
            kafka.log("send \(topic) \(records.count)")
            return (0..<records.count).map { index in
                let record = records.record(index)
                let headers = (0..<record.headerCount).map { number in
                    let header = records.header(number, ofRecord: index)
                    return (String(decoding: header.name, as: UTF8.self), Array(header.value))
                }
                return store(topic, index: index, partition: record.partition, key: record.key.map { Array($0) },
                             value: record.value.map { Array($0) }, headers: headers)
            }
        }

        private func store(
            _ topic: String, index: Int, partition: Int32?, key: [UInt8]?, value: [UInt8]?, headers: [(String, [UInt8])]
        ) -> DeliveryReport {
            kafka.state.withLock { state in
                let partition = partition ?? 0
                guard let count = state.topics[topic]?.count else {
                    return DeliveryReport(index: index, outcome: .failed(FakeKafka.unknownTopic))
                }
                guard partition >= 0, Int(partition) < count else {
                    return DeliveryReport(index: index, outcome: .failed(KafkaError(code: RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION)))
                }
                let offset = Int64(state.topics[topic]?[Int(partition)].count ?? 0)
                state.topics[topic]?[Int(partition)].append(ConsumedRecord(
                    partition: partition, offset: offset, timestampMs: 1_764_597_600_000, key: key, value: value, headers: headers))
                return DeliveryReport(index: index, outcome: .acknowledged(.init(partition: partition, offset: offset, timestampMs: 1_764_597_600_000)))
            }
        }
    }

    private struct Consumer: RecordConsumer {
        let kafka: FakeKafka

        func consume(_ request: ConsumeRequest, accept: (ConsumedRecord) -> Bool) throws(KafkaError) -> ConsumeResult {
            kafka.log("consume \(request.topic) group=\(request.groupID ?? "none")")
            if let failure = kafka.failure { throw failure }
            guard let partitions = kafka.state.withLock({ $0.topics[request.topic] }) else { throw FakeKafka.unknownTopic }
            let chosen = request.partition.map { [$0] }
                ?? (0..<Int32(partitions.count)).filter { request.partitions?.contains($0) ?? true }
            guard chosen.allSatisfy({ Int($0) < partitions.count }) else {
                throw KafkaError(code: RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION)
            }
            var next: [Int32: Int64] = [:]
            for partition in chosen {
                let end = Int64(partitions[Int(partition)].count)
                let committed = request.groupID.flatMap { group in kafka.state.withLock { $0.committed["\(group)/\(request.topic)/\(partition)"] } }
                if let position = request.positions[partition] {
                    next[partition] = min(max(0, position), end)
                    continue
                }
                switch (committed, request.start) {
                case let (offset?, _): next[partition] = offset
                case (nil, .beginning): next[partition] = 0
                case (nil, .end): next[partition] = end
                case let (nil, .offset(offset)): next[partition] = min(max(0, offset), end)
                case let (nil, .exactly(offset)):
                    guard (0...end).contains(offset) else {
                        throw KafkaError(code: RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE, message: "offset \(offset) is outside 0 to \(end)")
                    }
                    next[partition] = offset
                }
            }
            var taken: [ConsumedRecord] = []
            var stoppedEarly = false
            reading: for partition in chosen {
                let records = partitions[Int(partition)]
                while let offset = next[partition], offset < records.count, taken.count < request.maxRecords {
                    let record = records[Int(offset)]
                    guard accept(record) else {
                        stoppedEarly = true
                        break reading
                    }
                    taken.append(record)
                    next[partition] = offset + 1
                }
            }
            if let group = request.groupID {
                kafka.state.withLock { state in
                    for (partition, offset) in next { state.committed["\(group)/\(request.topic)/\(partition)"] = offset }
                }
            }
            let reachedEnd = chosen.allSatisfy { next[$0] == Int64(partitions[Int($0)].count) }
            return ConsumeResult(records: taken, reachedEnd: reachedEnd, nextOffsets: next, stoppedEarly: stoppedEarly)
        }

        func commit(groupID: String, topic: String, offsets: [Int32: Int64], deadline: ContinuousClock.Instant) throws(KafkaError) {
            kafka.log("commit \(groupID) \(topic)")
            if let failure = kafka.failure { throw failure }
            kafka.state.withLock { state in
                for (partition, offset) in offsets { state.committed["\(groupID)/\(topic)/\(partition)"] = offset }
            }
        }

        func committed(groupID: String, topic: String, partitions: [Int32], deadline: ContinuousClock.Instant) throws(KafkaError) -> [Int32: Int64] {
            kafka.log("committed \(groupID) \(topic)")
            if let failure = kafka.failure { throw failure }
            return kafka.state.withLock { state in
                var found: [Int32: Int64] = [:]
                for partition in partitions { found[partition] = state.committed["\(groupID)/\(topic)/\(partition)"] }
                return found
            }
        }
    }
}
