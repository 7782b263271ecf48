import FunctionCore
import JSON
import Kafka
import KafkaAdminClient

/// The REST proxy v2's read-only cluster routes: one topic, its partitions, a partition's offsets, the brokers.
enum RestProxyMetadata {
    /// `GET /topics/{topic}`: name, configuration and partitions.
    static func topic(_ topic: String, clients: any KafkaAccess, deadline: ContinuousClock.Instant) throws -> JSONValue {
        let admin = try clients.admin()
        guard let partitions = try admin.partitionDetails(topic: topic, deadline: deadline) else {
            throw RestProxyProblem.topicNotFound
        }
        // DescribeConfigs goes to the controller; librdkafka's mock cluster names one that is not a broker.
        let canDescribe = try admin.lookUpTopic(topic, deadline: deadline).controllerIsABroker
        let configs = canDescribe ? try admin.topicConfigs(topic: topic, deadline: deadline) : []
        return .object([
            ("name", .string(topic)),
            ("configs", .object(configs.map { ($0.name, $0.value.map(JSONValue.string) ?? .null) })),
            ("partitions", .array(partitions.map(render))),
        ])
    }

    /// `GET /topics/{topic}/partitions`.
    static func partitions(_ topic: String, clients: any KafkaAccess, deadline: ContinuousClock.Instant) throws -> JSONValue {
        guard let partitions = try clients.admin().partitionDetails(topic: topic, deadline: deadline) else {
            throw RestProxyProblem.topicNotFound
        }
        return .array(partitions.map(render))
    }

    /// `GET /topics/{topic}/partitions/{partition}`.
    static func partition(_ topic: String, _ partition: Int32, clients: any KafkaAccess, deadline: ContinuousClock.Instant) throws -> JSONValue {
        render(try detail(topic, partition, clients: clients, deadline: deadline))
    }

    /// `GET /topics/{topic}/partitions/{partition}/offsets`: `beginning_offset` and `end_offset`.
    static func offsets(_ topic: String, _ partition: Int32, clients: any KafkaAccess, deadline: ContinuousClock.Instant) throws -> JSONValue {
        _ = try detail(topic, partition, clients: clients, deadline: deadline)
        let admin = try clients.admin()
        let marks = try admin.offsets(topic: topic, deadline: deadline).first { $0.partition == partition }
        guard let marks else { throw RestProxyProblem.partitionNotFound }
        return .object([("beginning_offset", .integer(marks.earliest)), ("end_offset", .integer(marks.latest))])
    }

    /// `GET /brokers`: `{"brokers":[ids]}`.
    static func brokers(clients: any KafkaAccess, deadline: ContinuousClock.Instant) throws -> JSONValue {
        .object([("brokers", .array(try clients.admin().brokerIDs(deadline: deadline).map { .integer($0) }))])
    }

    /// The proxy answers 40402 for a missing partition of a missing topic too.
    private static func detail(_ topic: String, _ partition: Int32, clients: any KafkaAccess, deadline: ContinuousClock.Instant) throws -> PartitionDetail {
        guard let found = try clients.admin().partitionDetails(topic: topic, deadline: deadline)?.first(where: { $0.partition == partition }) else {
            throw RestProxyProblem.partitionNotFound
        }
        return found
    }

    private static func render(_ detail: PartitionDetail) -> JSONValue {
        let inSync = Set(detail.inSyncReplicas)
        return .object([
            ("partition", .integer(detail.partition)),
            ("leader", .integer(detail.leader)),
            ("replicas", .array(detail.replicas.map { broker in
                .object([
                    ("broker", .integer(broker)), ("leader", .bool(broker == detail.leader)), ("in_sync", .bool(inSync.contains(broker))),
                ])
            })),
        ])
    }
}
