import CRdKafka
import Logging
import Synchronization

/// Reads a bounded batch of records per call, keeping one warm native consumer per group id.
///
/// Partitions are assigned explicitly (never subscribed): no join/rebalance round trips, and no
/// group membership to lose while a Lambda sandbox is frozen. With a group id, reading starts
/// at the group's committed offsets and the offsets of returned records are committed before
/// `consume` returns. Calls are serialised.
public final class KafkaConsumer: Sendable {
    private let configuration: KafkaConfiguration
    private let logger: Logger
    private let state = Mutex(ConsumerState())

    /// Native consumers kept warm at once; the least recently used goes first.
    static let maximumSessions = 4

    public init(configuration: KafkaConfiguration, logger: Logger) throws(KafkaError) {
        // Fail now on settings librdkafka rejects, not on the first call.
        _ = try configuration.makeNativeConfiguration(role: .consumer(groupID: nil))
        self.configuration = configuration
        self.logger = logger
    }

    /// Reads records of `request.topic` in partition order of arrival, calling `accept` for each.
    ///
    /// `accept` returning false stops the call: that record is not returned and the next call
    /// (or the group's next reader) starts with it. Stops as soon as every assigned partition is
    /// read to its end, `maxRecords` are returned, or the deadline passes.
    public func consume(_ request: ConsumeRequest, accept: (ConsumedRecord) -> Bool) throws(KafkaError) -> ConsumeResult {
        var records: [ConsumedRecord] = []
        var result = try consumeInPlace(request) { view in
            let record = view.copied()
            guard accept(record) else { return false }
            records.append(record)
            return true
        }
        result.records = records
        return result
    }

    /// Like `consume`, but each record is handed to `accept` in place (`ConsumedRecordView`, valid
    /// only during the call) and none is kept: the result's `records` is empty.
    public func consumeInPlace(_ request: ConsumeRequest, accept: (ConsumedRecordView) -> Bool) throws(KafkaError) -> ConsumeResult {
        let configuration = configuration
        let logger = logger
        return try state.withLock { (state) throws(KafkaError) -> ConsumeResult in
            let lookup: NativeClient
            if let existing = state.lookup {
                lookup = existing
            } else {
                let native = try configuration.makeNativeConfiguration(role: .admin)
                lookup = try NativeClient(type: RD_KAFKA_PRODUCER, configuration: native, logger: logger)
                state.lookup = lookup
            }
            let session = try Self.session(for: request.groupID, in: &state, configuration: configuration, logger: logger)
            return try session.consume(request, lookup: lookup, accept: accept)
        }
    }

    /// Runs `body` with the warm session of `groupID`, under the lock every call takes.
    func withSession<T>(groupID: String, _ body: (ConsumerSession) throws(KafkaError) -> T) throws(KafkaError) -> T {
        let configuration = configuration
        let logger = logger
        return try state.withLock { (state) throws(KafkaError) -> T in
            try body(try Self.session(for: groupID, in: &state, configuration: configuration, logger: logger))
        }
    }

    private static func session(
        for groupID: String?, in state: inout ConsumerState, configuration: KafkaConfiguration, logger: Logger
    ) throws(KafkaError) -> ConsumerSession {
        if let existing = state.sessions[groupID] { return existing }
        if state.sessions.count >= maximumSessions,
           let idle = state.sessions.min(by: { $0.value.lastUsed < $1.value.lastUsed }) {
            state.sessions[idle.key] = nil
        }
        let session = try ConsumerSession(configuration: configuration, groupID: groupID, logger: logger)
        state.sessions[groupID] = session
        return session
    }
}

/// The warm native consumers, one per group id (nil: no group), and the client for lookups.
struct ConsumerState: @unchecked Sendable {
    var lookup: NativeClient?
    var sessions: [String?: ConsumerSession] = [:]
}
