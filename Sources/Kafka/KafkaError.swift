import CRdKafka

/// An error reported by librdkafka or by a Kafka broker.
public struct KafkaError: Error, Sendable, CustomStringConvertible {
    /// The raw `rd_kafka_resp_err_t` value: negative values are client-side errors, positive ones broker errors.
    public var code: Int32
    /// librdkafka's symbolic name, for example `_TIMED_OUT` or `TOPIC_ALREADY_EXISTS`.
    public var name: String
    public var message: String
    /// The operation may succeed if tried again.
    public var isRetriable: Bool
    /// The client is unusable and must be recreated (idempotent producer fatal errors).
    public var isFatal: Bool

    public var isTimeout: Bool {
        code == RD_KAFKA_RESP_ERR__TIMED_OUT.rawValue
            || code == RD_KAFKA_RESP_ERR__MSG_TIMED_OUT.rawValue
            || code == RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT.rawValue
            || code == RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE.rawValue
    }

    /// The brokers refused our identity (SASL), or no token or password could be presented.
    public var isAuthenticationFailure: Bool {
        code == RD_KAFKA_RESP_ERR__AUTHENTICATION.rawValue || code == RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED.rawValue
    }

    /// The broker does not implement the request (for example CreateTopics on librdkafka's mock cluster).
    public var isUnsupportedFeature: Bool {
        code == RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE.rawValue
            || code == RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION.rawValue
    }

    /// The topic does not exist (as far as the cluster's metadata says).
    public var isUnknownTopic: Bool {
        code == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART.rawValue || code == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC.rawValue
    }

    /// A fetch asked for an offset outside the partition's stored range (`StartPosition.exactly`).
    public var isOffsetOutOfRange: Bool {
        code == RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE.rawValue
    }

    /// The topic exists but has no such partition.
    public var isUnknownPartition: Bool {
        code == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION.rawValue
    }

    public var description: String { "\(name): \(message)" }

    package init(code: rd_kafka_resp_err_t, message: String? = nil, isRetriable: Bool? = nil, isFatal: Bool = false) {
        self.code = code.rawValue
        self.name = String(cString: rd_kafka_err2name(code))
        self.message = message ?? String(cString: rd_kafka_err2str(code))
        self.isRetriable = isRetriable ?? KafkaError.retriableCodes.contains(code.rawValue)
        self.isFatal = isFatal
    }

    /// Takes ownership of `error` and destroys it.
    package init(consuming error: OpaquePointer) {
        defer { rd_kafka_error_destroy(error) }
        self.init(
            code: rd_kafka_error_code(error),
            message: String(cString: rd_kafka_error_string(error)),
            isRetriable: rd_kafka_error_is_retriable(error) != 0,
            isFatal: rd_kafka_error_is_fatal(error) != 0
        )
    }

    package static func timedOut(_ message: String) -> KafkaError {
        KafkaError(code: RD_KAFKA_RESP_ERR__TIMED_OUT, message: message, isRetriable: true)
    }

    /// Codes worth retrying when librdkafka hands out a bare `rd_kafka_resp_err_t` (no `rd_kafka_error_t`).
    private static let retriableCodes: Set<Int32> = [
        RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, RD_KAFKA_RESP_ERR__TRANSPORT,
        RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, RD_KAFKA_RESP_ERR__QUEUE_FULL, RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE,
        RD_KAFKA_RESP_ERR__PURGE_QUEUE, RD_KAFKA_RESP_ERR__PURGE_INFLIGHT, RD_KAFKA_RESP_ERR__WAIT_COORD,
        RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE,
        RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR_NOT_COORDINATOR,
        RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS,
        RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND,
        RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART,
        RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR,
    ].reduce(into: []) { $0.insert($1.rawValue) }
}
