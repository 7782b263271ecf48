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
    private let sessions = Mutex<[String?: ConsumerSession]>([:])

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
        let configuration = configuration
        let logger = logger
        return try sessions.withLock { (sessions) throws(KafkaError) -> ConsumeResult in
            let session: ConsumerSession
            if let existing = sessions[request.groupID] {
                session = existing
            } else {
                if sessions.count >= Self.maximumSessions,
                   let idle = sessions.min(by: { $0.value.lastUsed < $1.value.lastUsed }) {
                    sessions[idle.key] = nil
                }
                session = try ConsumerSession(configuration: configuration, groupID: request.groupID, logger: logger)
                sessions[request.groupID] = session
            }
            return try session.consume(request, accept: accept)
        }
    }
}
