import Foundation
import Kafka
import KafkaAdminClient
import Logging
import TestSupport

/// A local mock cluster with the clients the tests use, configured like the bootstrap would.
final class KafkaFixture {
    let cluster: LocalKafkaCluster
    let configuration: KafkaConfiguration
    let logger = Logger(label: "KafkaTests")

    init(brokers: Int = 3) throws {
        cluster = try LocalKafkaCluster(brokers: brokers)
        configuration = KafkaConfiguration(bootstrapServers: cluster.bootstrapServers)
    }

    func producer() throws -> KafkaProducer { try KafkaProducer(configuration: configuration, logger: logger) }
    func consumer() throws -> KafkaConsumer { try KafkaConsumer(configuration: configuration, logger: logger) }
    func admin() throws -> KafkaAdmin { try KafkaAdmin(configuration: configuration, logger: logger) }

    /// Creates `topic` on the mock cluster.
    func createTopic(_ topic: String, partitions: Int = 3) throws {
        try cluster.command("create-topic \(topic) \(partitions) 3")
    }
}

func deadline(seconds: Int = 20) -> ContinuousClock.Instant {
    .now.advanced(by: .seconds(seconds))
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

extension KafkaConsumer {
    /// Everything `consume` returns, accepting every record.
    func consumeAll(_ request: ConsumeRequest) throws -> ConsumeResult {
        try consume(request) { _ in true }
    }
}

/// Starts `body(thread)` on `count` threads; the group is left when all have finished.
func startOnThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) -> DispatchGroup {
    let group = DispatchGroup()
    for thread in 0..<count {
        group.enter()
        Thread {
            body(thread)
            group.leave()
        }.start()
    }
    return group
}

/// Runs `body(thread)` on `count` threads at once and returns when all have finished.
func runOnThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    startOnThreads(count, body).wait()
}
