import CRdKafka
import CRdKafkaShim
import Logging
import Synchronization

/// An idempotent producer (acks=all) that reports on every record of a batch by a deadline.
///
/// Calls may run concurrently and share the native client, which is created in `init`, reused
/// across calls, and recreated after a fatal (idempotence) error.
public final class KafkaProducer: Sendable {
    private let configuration: KafkaConfiguration
    private let logger: Logger
    private let session: Mutex<ProducerSession>

    public init(configuration: KafkaConfiguration, logger: Logger) throws(KafkaError) {
        self.configuration = configuration
        self.logger = logger
        self.session = Mutex(try ProducerSession(configuration: configuration, logger: logger))
    }

    /// Produces `records` to `topic` and returns one report per record, in the same order.
    ///
    /// Records not acknowledged by `deadline` are purged and reported with a timeout error
    /// (an in-flight record may still have been written by the broker).
    public func send(topic: String, records: [OutgoingRecord], deadline: ContinuousClock.Instant) -> [DeliveryReport] {
        withSession(count: records.count) { $0.send(topic: topic, records: records, deadline: deadline) }
    }

    /// Like `send(topic:records:deadline:)`, taking each record's bytes where they are.
    public func send(topic: String, records: some ProducibleRecords, deadline: ContinuousClock.Instant) -> [DeliveryReport] {
        withSession(count: records.count) { $0.send(topic: topic, records: records, deadline: deadline) }
    }

    private func withSession(count: Int, _ body: (ProducerSession) -> [DeliveryReport]) -> [DeliveryReport] {
        let configuration = configuration
        let logger = logger
        return session.withLock { session -> [DeliveryReport] in
            if let fatal = session.client.fatalError {
                logger.error("Kafka producer hit a fatal error; creating a new one", metadata: ["error": "\(fatal)"])
                do throws(KafkaError) {
                    session = try ProducerSession(configuration: configuration, logger: logger)
                } catch {
                    return (0..<count).map { DeliveryReport(index: $0, outcome: .failed(error)) }
                }
            }
            // Under the lock: a session's delivery reports are collected by the thread that sends.
            return body(session)
        }
    }

    /// For the end of the environment: waits until `deadline` for what is queued or in flight to
    /// be acknowledged, then purges the rest. Returns how many records were purged (they were
    /// never reported as delivered to anyone). The producer stays usable.
    public func drain(by deadline: ContinuousClock.Instant) -> Int {
        let current = session.withLock { $0 }
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
