import Foundation

/// The Kafka broker an end-to-end test runs against.
public enum BrokerEngine: String, CaseIterable, Sendable, CustomStringConvertible {
    /// librdkafka's own mock cluster (`kafka-local-cluster`, 3 brokers): injects faults, but
    /// shares its protocol code with the client under test and has no CreateTopics.
    case mock
    /// noida-db 0.2.3, a Kafka-protocol broker written in Rust (one broker): shares no code with
    /// librdkafka, creates topics through its controller, keeps records in memory.
    case independent

    public var description: String { rawValue }

    /// Starts a fresh broker of this engine on a free loopback port.
    public func start() throws -> any RunningBroker {
        switch self {
        case .mock: return try LocalKafkaCluster(brokers: 3)
        case .independent: return try IndependentBroker()
        }
    }
}

/// A broker (or cluster) started by a test, stopped by `stop()` or when released.
public protocol RunningBroker: AnyObject, Sendable {
    var engine: BrokerEngine { get }
    /// `host:port[,host:port...]`, for `KAFKA_ENDPOINT`.
    var bootstrapServers: String { get }
    func stop()
}

extension LocalKafkaCluster: RunningBroker {
    public var engine: BrokerEngine { .mock }

    public func stop() {
        process.closeStandardInput()
        process.stop()
    }
}

/// Whether the tests run in CI (`CI=true`), where a missing tool is a failure, never a skip.
public enum ContinuousIntegration {
    public static var isActive: Bool {
        ["true", "1"].contains(ProcessInfo.processInfo.environment["CI"]?.lowercased() ?? "")
    }
}

/// A tool a test needs is not installed or not built.
public struct MissingToolError: Error, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
