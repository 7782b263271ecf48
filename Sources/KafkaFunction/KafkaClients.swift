import Kafka
import Logging
import Synchronization

/// The Kafka clients of one execution environment: each created on first use and reused by
/// every warm invocation after it, so a cold start pays for none it does not need.
///
/// Shared by all runtime loops when `AWS_LAMBDA_MAX_CONCURRENCY` > 1: one producer and one set
/// of broker connections for the whole environment. Each client is created under a lock, once.
final class KafkaClients: Sendable {
    let configuration: KafkaConfiguration
    private let logger: Logger
    private let producerStorage = Mutex<KafkaProducer?>(nil)
    private let adminStorage = Mutex<KafkaAdmin?>(nil)
    private let consumerStorage = Mutex<KafkaConsumer?>(nil)
    private let knownTopicStorage = Mutex<Set<String>>([])
    private let restConsumerStoreStorage = Mutex<ConsumerInstanceStore?>(nil)

    /// Topics seen to exist, so warm produce invocations skip the metadata round trip. A cache:
    /// an insert lost to a concurrent one only costs a lookup.
    var knownTopics: Set<String> {
        get { knownTopicStorage.withLock { $0 } }
        set { knownTopicStorage.withLock { $0.formUnion(newValue) } }
    }

    init(configuration: KafkaConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    func producer() throws(FunctionError) -> KafkaProducer {
        try Self.reuseOrCreate(producerStorage, "creating the producer") { () throws(KafkaError) in
            try KafkaProducer(configuration: configuration, logger: logger)
        }
    }

    func admin() throws(FunctionError) -> KafkaAdmin {
        try Self.reuseOrCreate(adminStorage, "creating the admin client") { () throws(KafkaError) in
            try KafkaAdmin(configuration: configuration, logger: logger)
        }
    }

    func consumer() throws(FunctionError) -> KafkaConsumer {
        try Self.reuseOrCreate(consumerStorage, "creating the consumer") { () throws(KafkaError) in
            try KafkaConsumer(configuration: configuration, logger: logger)
        }
    }

    /// The REST proxy's consumer instances (a consumer of its own on the state topic), created on first use.
    func restConsumerStore(settings: RestProxySettings, logger: Logger) throws(FunctionError) -> ConsumerInstanceStore {
        try Self.reuseOrCreate(restConsumerStoreStorage, "creating the consumer-instance store") { () throws(KafkaError) in
            try ConsumerInstanceStore(settings: settings, clients: self, logger: logger)
        }
    }

    /// SIGTERM: the producer's queued and in-flight records get until `deadline` to be acknowledged
    /// (the rest is purged). Consumers commit only inside a call, for records that call returns,
    /// so nothing is left to commit.
    func shutdown(deadline: ContinuousClock.Instant) {
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
    static func kafka(_ error: KafkaError, while step: String) -> FunctionError {
        FunctionError(error.isTimeout ? .kafkaTimeout : .kafkaError, "Kafka failed while \(step): \(error.name): \(error.message)")
    }
}
