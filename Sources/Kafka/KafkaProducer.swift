import CRdKafka
import CRdKafkaShim
import Logging
import Synchronization

/// An idempotent producer (acks=all) that reports on every record of a batch by a deadline.
///
/// Calls may run concurrently: they share the native client and produce and wait in parallel,
/// each getting its own records' reports. The client is created in `init`, reused across calls,
/// and recreated after a fatal (idempotence) error once no call is in flight.
public final class KafkaProducer: Sendable {
    private struct State {
        var session: ProducerSession
        var callsInFlight = 0
    }

    private let configuration: KafkaConfiguration
    private let logger: Logger
    private let state: Mutex<State>

    public init(configuration: KafkaConfiguration, logger: Logger) throws(KafkaError) {
        self.configuration = configuration
        self.logger = logger
        self.state = Mutex(State(session: try ProducerSession(configuration: configuration, logger: logger)))
    }

    /// Produces `records` to `topic` and returns one report per record, in the same order.
    ///
    /// Records not acknowledged by `deadline` are reported with a timeout error, and purged when no
    /// other call is in flight (an in-flight record may still have been written by the broker; one
    /// left unpurged because others were sending may still be written after the answer).
    public func send(topic: String, records: [OutgoingRecord], deadline: ContinuousClock.Instant) -> [DeliveryReport] {
        withSession(count: records.count) { $0.send(topic: topic, records: records, deadline: deadline) }
    }

    /// Like `send(topic:records:deadline:)`, taking each record's bytes where they are.
    public func send(topic: String, records: some ProducibleRecords, deadline: ContinuousClock.Instant) -> [DeliveryReport] {
        withSession(count: records.count) { $0.send(topic: topic, records: records, deadline: deadline) }
    }

    /// Records of the calls in flight not yet acknowledged or failed, as counted to decide when
    /// queued calls go out (`ProduceQueue`). For tests and diagnostics.
    package var recordsInFlight: Int {
        state.withLock { $0.session }.recordsInFlight
    }

    private func withSession(count: Int, _ body: (ProducerSession) -> [DeliveryReport]) -> [DeliveryReport] {
        let configuration = configuration
        let logger = logger
        let acquired = state.withLock { state -> Result<ProducerSession, KafkaError> in
            // A new session only when no call is using the old one; until then calls fail fast on it.
            if state.callsInFlight == 0, let fatal = state.session.client.fatalError {
                logger.error("Kafka producer hit a fatal error; creating a new one", metadata: ["error": "\(fatal)"])
                do throws(KafkaError) {
                    state.session = try ProducerSession(configuration: configuration, logger: logger)
                } catch {
                    return .failure(error)
                }
            }
            state.callsInFlight += 1
            return .success(state.session)
        }
        switch acquired {
        case .failure(let error):
            return (0..<count).map { DeliveryReport(index: $0, outcome: .failed(error)) }
        case .success(let session):
            defer { state.withLock { $0.callsInFlight -= 1 } }
            return body(session)
        }
    }

    /// For the end of the environment: waits until `deadline` for what is queued or in flight to
    /// be acknowledged, then purges the rest. Returns how many records were purged (they were
    /// never reported as delivered to anyone). The producer stays usable.
    public func drain(by deadline: ContinuousClock.Instant) -> Int {
        let current = state.withLock { $0.session }
        let handle = current.client.handle
        if rd_kafka_flush(handle, deadline.remainingMilliseconds()) == RD_KAFKA_RESP_ERR_NO_ERROR {
            return 0
        }
        let left = Int(rd_kafka_outq_len(handle))
        rd_kafka_purge(handle, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
        logger.warning("Kafka producer closing with records unacknowledged; purged them", metadata: ["records": "\(left)"])
        return left
    }
}
