import FunctionCore
import JSON
import Kafka
import KafkaAdminClient
import LambdaRuntime
import Logging
import Synchronization

/// REST proxy consumer instances kept in a compacted Kafka topic, so that an instance created
/// through one execution environment is served by any other.
///
/// Each call catches this environment's copy up with the topic (a ListOffsets and, when something
/// changed, one fetch from where the copy stopped), reads its instance there, and writes the new
/// state (acks=all, idempotent) before it answers: the next call, wherever it runs, reads at
/// least that record, so sequential calls see each other's positions.
final class ConsumerInstanceStore: Sendable {
    private struct Cache {
        var states: [[UInt8]: ConsumerInstanceState] = [:]
        /// Per partition of the state topic: the next offset this copy has not read.
        var nextOffsets: [Int32: Int64] = [:]
        var topicReady = false
    }

    let settings: RestProxySettings
    private let clients: any KafkaAccess
    /// Its own consumer: the state topic stays assigned and warm, apart from the records reads.
    private let tail: any RecordConsumer
    private let logger: Logger
    private let cache = Mutex(Cache())

    /// The most state records one catch-up fetch takes; it repeats until the topic's end.
    private static let recordsPerFetch = 5000

    init(settings: RestProxySettings, clients: any KafkaAccess, logger: Logger) throws(FunctionError) {
        self.settings = settings
        self.clients = clients
        self.logger = logger
        tail = try clients.dedicatedConsumer()
    }

    /// The instance's current state; nil when it does not exist or has expired (an expired one is deleted).
    func load(group: String, instance: String, deadline: ContinuousClock.Instant) throws -> ConsumerInstanceState? {
        let key = ConsumerInstanceState.key(group: group, instance: instance)
        let state = try cache.withLock { (cache) throws -> ConsumerInstanceState? in
            try catchUp(&cache, deadline: deadline)
            return cache.states[key]
        }
        guard let state else { return nil }
        if state.isExpired(nowMs: WallClock.nowEpochMilliseconds()) {
            try? delete(group: group, instance: instance, deadline: deadline)
            return nil
        }
        return state
    }

    /// Writes the state (its last use set to now) and waits for the broker's acknowledgement.
    func save(_ state: ConsumerInstanceState, deadline: ContinuousClock.Instant) throws {
        var state = state
        state.lastUsedMs = WallClock.nowEpochMilliseconds()
        try write(key: state.key, value: state.serialized(), deadline: deadline)
        cache.withLock { $0.states[state.key] = state }
    }

    /// How many instances this environment's copy holds that have not expired.
    func liveCount() -> Int {
        let now = WallClock.nowEpochMilliseconds()
        return cache.withLock { cache in cache.states.values.count { !$0.isExpired(nowMs: now) } }
    }

    /// Deletes up to `limit` instances found expired in this environment's copy: an instance nobody
    /// calls again would otherwise stay in the compacted topic for good. Best effort.
    func sweepExpired(limit: Int, deadline: ContinuousClock.Instant) {
        let now = WallClock.nowEpochMilliseconds()
        let expired = cache.withLock { cache in
            cache.states.values.filter { $0.isExpired(nowMs: now) }.prefix(limit).map { ($0.group, $0.instance) }
        }
        for (group, instance) in expired {
            try? delete(group: group, instance: instance, deadline: deadline)
        }
    }

    /// Writes the instance's tombstone.
    func delete(group: String, instance: String, deadline: ContinuousClock.Instant) throws {
        let key = ConsumerInstanceState.key(group: group, instance: instance)
        try write(key: key, value: nil, deadline: deadline)
        cache.withLock { $0.states[key] = nil }
    }

    private func write(key: [UInt8], value: [UInt8]?, deadline: ContinuousClock.Instant) throws {
        try cache.withLock { (cache) throws in try ensureTopic(&cache, deadline: deadline) }
        let report = try clients.producer().send(
            topic: settings.stateTopic, records: [OutgoingRecord(key: key, value: value)], deadline: deadline).first
        guard let report else {
            throw HTTPProblem(502, "writing consumer instance state to '\(settings.stateTopic)': no delivery report", errorCode: 50002)
        }
        if let error = report.error {
            throw HTTPProblem(error.isTimeout ? 504 : 502, "writing consumer instance state to '\(settings.stateTopic)' failed: \(error)", errorCode: 50002)
        }
    }

    /// Reads every state record written since this copy's last read, up to the topic's end.
    private func catchUp(_ cache: inout Cache, deadline: ContinuousClock.Instant) throws {
        try ensureTopic(&cache, deadline: deadline)
        while true {
            var request = ConsumeRequest(topic: settings.stateTopic, start: .beginning, maxRecords: Self.recordsPerFetch, deadline: deadline)
            request.positions = cache.nextOffsets
            var records: [ConsumedRecord] = []
            let result: ConsumeResult
            do throws(KafkaError) {
                result = try tail.consume(request) { record in
                    records.append(record)
                    return true
                }
            } catch {
                // Not created yet (left to the broker's auto-creation): no instance exists.
                if error.isUnknownTopic { return }
                throw error
            }
            for record in records {
                guard let key = record.key else { continue }
                if let value = record.value, let state = ConsumerInstanceState(serialized: value) {
                    cache.states[key] = state
                } else {
                    cache.states[key] = nil
                }
            }
            cache.nextOffsets.merge(result.nextOffsets) { _, new in new }
            if result.reachedEnd || result.records.isEmpty { return }
        }
    }

    /// Creates the compacted state topic when it does not exist (the only topic the function
    /// creates for API callers). A cluster that cannot take CreateTopics (librdkafka's mock) gets
    /// it from its auto-creation at the first write, uncompacted.
    private func ensureTopic(_ cache: inout Cache, deadline: ContinuousClock.Instant) throws {
        guard !cache.topicReady else { return }
        let admin = try clients.admin()
        let lookup = try admin.lookUpTopic(settings.stateTopic, deadline: deadline)
        if lookup.topic == nil {
            guard lookup.controllerIsABroker else { return }
            _ = try admin.createTopic(
                settings.stateTopic, partitions: 1, replicationFactor: -1, configs: [("cleanup.policy", "compact")], deadline: deadline)
            logger.info("Created the REST proxy consumer state topic", metadata: ["topic": "\(settings.stateTopic)"])
        }
        cache.topicReady = true
    }
}
