import JSON
import Kafka
import KafkaAdminClient
import Logging
import Synchronization

/// The Kafka clients of one execution environment: each created on first use and reused by
/// every warm invocation after it, so a cold start pays for none it does not need.
///
/// Shared by all runtime loops when `AWS_LAMBDA_MAX_CONCURRENCY` > 1: one producer and one set
/// of broker connections for the whole environment. Each client is created under a lock, once.
package final class KafkaClients: KafkaAccess {
    package let configuration: KafkaConfiguration
    private let logger: Logger
    private let producerStorage = Mutex<KafkaProducer?>(nil)
    private let adminStorage = Mutex<KafkaAdmin?>(nil)
    private let consumerStorage = Mutex<KafkaConsumer?>(nil)
    private let knownTopicStorage = Mutex<Set<String>>([])

    /// Topics seen to exist, so warm produce invocations skip the metadata round trip.
    package func isKnownTopic(_ topic: String) -> Bool {
        knownTopicStorage.withLock { $0.contains(topic) }
    }

    package func rememberTopic(_ topic: String) {
        knownTopicStorage.withLock { _ = $0.insert(topic) }
    }

    package init(configuration: KafkaConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    package func producer() throws(FunctionError) -> any RecordProducer {
        try Self.reuseOrCreate(producerStorage, "creating the producer") { () throws(KafkaError) in
            try KafkaProducer(configuration: configuration, logger: logger)
        }
    }

    package func admin() throws(FunctionError) -> any KafkaAdministration {
        try Self.reuseOrCreate(adminStorage, "creating the admin client") { () throws(KafkaError) in
            try KafkaAdmin(configuration: configuration, logger: logger)
        }
    }

    package func dedicatedConsumer() throws(FunctionError) -> any RecordConsumer {
        do {
            return try KafkaConsumer(configuration: configuration, logger: logger)
        } catch {
            throw .kafka(error, while: "creating a dedicated consumer")
        }
    }

    package func consumer() throws(FunctionError) -> any RecordConsumer {
        try Self.reuseOrCreate(consumerStorage, "creating the consumer") { () throws(KafkaError) in
            try KafkaConsumer(configuration: configuration, logger: logger)
        }
    }

    /// SIGTERM: the producer's queued and in-flight records get until `deadline` to be acknowledged
    /// (the rest is purged). Consumers commit only inside a call, for records that call returns,
    /// so nothing is left to commit.
    package func shutdown(deadline: ContinuousClock.Instant) {
        if let producer = producerStorage.withLock({ $0 }) {
            _ = producer.drain(by: deadline)
        }
    }

    private static func reuseOrCreate<Client: Sendable>(
        _ storage: borrowing Mutex<Client?>, _ step: String, _ create: () throws(KafkaError) -> Client
    ) throws(FunctionError) -> Client {
        let outcome = storage.withLock { stored -> Result<Client, KafkaError> in
            if let stored { return .success(stored) }
            let created = Result<Client, KafkaError>(catching: create)
            if case .success(let client) = created { stored = client }
            return created
        }
        switch outcome {
        case .success(let client): return client
        case .failure(let error): throw .kafka(error, while: step)
        }
    }
}

extension FunctionError {
    package static func kafka(_ error: KafkaError, while step: String) -> FunctionError {
        FunctionError(error.isTimeout ? .kafkaTimeout : .kafkaError, "Kafka failed while \(step): \(error.name): \(error.message)")
    }
}
