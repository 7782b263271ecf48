import FunctionCore
import JSON
import Logging
import Synchronization

/// The REST proxy's consumer-instance settings.
package struct RestProxySettings: Sendable {
    static let stateTopicVariable = "LAMBDA_KAFKA_REST_STATE_TOPIC"
    static let instanceTimeoutVariable = "LAMBDA_KAFKA_REST_CONSUMER_INSTANCE_TIMEOUT_MS"
    static let defaultStateTopic = "_lambda_kafka_rest_consumers"

    /// The compacted topic holding consumer instances; the function creates it on first use.
    package var stateTopic = defaultStateTopic
    /// kafka-rest's `consumer.instance.timeout.ms`: an instance idle this long is gone.
    var instanceTimeoutMs: Int64 = 300_000

    package init() {}

    package init(_ environment: Environment) throws(ConfigurationError) {
        if let topic = environment.text(Self.stateTopicVariable) {
            do {
                stateTopic = try TopicName.validate(topic, field: Self.stateTopicVariable)
            } catch {
                throw ConfigurationError(Self.stateTopicVariable, "must be a valid topic name (1 to 249 of [a-zA-Z0-9._-])")
            }
        }
        instanceTimeoutMs = try environment.integer(Self.instanceTimeoutVariable, in: 1000...86_400_000, default: 300_000)
    }
}

/// The REST proxy's settings and its consumer-instance store, made at the first consumer call
/// and kept for the execution environment.
package final class RestProxyConsumers: Sendable {
    let settings: RestProxySettings
    private let clients: any KafkaAccess
    private let storage = Mutex<ConsumerInstanceStore?>(nil)

    package init(settings: RestProxySettings, clients: any KafkaAccess) {
        self.settings = settings
        self.clients = clients
    }

    func store(logger: Logger) throws(FunctionError) -> ConsumerInstanceStore {
        try storage.withLock { (stored) throws(FunctionError) -> ConsumerInstanceStore in
            if let stored { return stored }
            let created = try ConsumerInstanceStore(settings: settings, clients: clients, logger: logger)
            stored = created
            return created
        }
    }
}
