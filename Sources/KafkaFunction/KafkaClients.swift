import Kafka
import Logging

/// The Kafka clients of one execution environment: each created on first use and reused by
/// every warm invocation after it, so a cold start pays for none it does not need.
final class KafkaClients {
    let configuration: KafkaConfiguration
    private let logger: Logger
    private var producerStorage: KafkaProducer?
    private var adminStorage: KafkaAdmin?
    private var consumerStorage: KafkaConsumer?
    /// Topics seen to exist, so warm produce invocations skip the metadata round trip.
    var knownTopics: Set<String> = []

    init(configuration: KafkaConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    func producer() throws(FunctionError) -> KafkaProducer {
        if let producerStorage { return producerStorage }
        do {
            let producer = try KafkaProducer(configuration: configuration, logger: logger)
            producerStorage = producer
            return producer
        } catch {
            throw .kafka(error, while: "creating the producer")
        }
    }

    func admin() throws(FunctionError) -> KafkaAdmin {
        if let adminStorage { return adminStorage }
        do {
            let admin = try KafkaAdmin(configuration: configuration, logger: logger)
            adminStorage = admin
            return admin
        } catch {
            throw .kafka(error, while: "creating the admin client")
        }
    }

    func consumer() throws(FunctionError) -> KafkaConsumer {
        if let consumerStorage { return consumerStorage }
        do {
            let consumer = try KafkaConsumer(configuration: configuration, logger: logger)
            consumerStorage = consumer
            return consumer
        } catch {
            throw .kafka(error, while: "creating the consumer")
        }
    }
}

extension FunctionError {
    static func kafka(_ error: KafkaError, while step: String) -> FunctionError {
        FunctionError(error.isTimeout ? .kafkaTimeout : .kafkaError, "Kafka failed while \(step): \(error.name): \(error.message)")
    }
}
