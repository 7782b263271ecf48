import CRdKafka
import Encoding
import CRdKafkaShim

struct MockClusterError: Error, CustomStringConvertible {
    var description: String
}

/// Owns the librdkafka handle hosting the mock cluster, and the cluster.
final class MockCluster {
    private let host: OpaquePointer
    private let cluster: OpaquePointer
    let bootstrapServers: String

    /// librdkafka's Metadata request key; the mock answers v0-v2 by default, which cannot carry
    /// AllowAutoTopicCreation, so every metadata request would create the topics it names.
    private static let metadataApiKey: Int16 = 3

    init(brokers: Int32) throws {
        guard let conf = rd_kafka_conf_new() else { throw MockClusterError(description: "rd_kafka_conf_new failed") }
        var reason = CString.errorBuffer()
        // The mock brokers' sockets take their options from this handle. Kafka brokers disable
        // Nagle's algorithm on every connection; with it on, a response written while the client
        // has not yet acknowledged the previous one waits for the client's delayed ACK (40 ms on
        // Linux) whenever the client has no request to send meanwhile.
        guard rd_kafka_conf_set(conf, "socket.nagle.disable", "true", &reason, reason.count) == RD_KAFKA_CONF_OK else {
            rd_kafka_conf_destroy(conf)
            throw MockClusterError(description: "socket.nagle.disable: \(CString.decode(reason))")
        }
        guard let host = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &reason, reason.count) else {
            rd_kafka_conf_destroy(conf)
            let text = CString.decode(reason)
            throw MockClusterError(description: "cannot create the host client: \(text)")
        }
        guard let cluster = rd_kafka_mock_cluster_new(host, brokers) else {
            rd_kafka_destroy(host)
            throw MockClusterError(description: "cannot create the mock cluster")
        }
        self.host = host
        self.cluster = cluster
        bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
        try check(rd_kafka_mock_set_apiversion(cluster, Self.metadataApiKey, 0, 4))
    }

    deinit {
        rd_kafka_mock_cluster_destroy(cluster)
        rd_kafka_destroy(host)
    }

    func setBroker(_ id: Int32, up: Bool) throws {
        try check(up ? rd_kafka_mock_broker_set_up(cluster, id) : rd_kafka_mock_broker_set_down(cluster, id))
    }

    func setRoundTripTime(broker id: Int32, milliseconds: Int32) throws {
        try check(rd_kafka_mock_broker_set_rtt(cluster, id, milliseconds))
    }

    func setLeader(topic: String, partition: Int32, broker id: Int32) throws {
        try check(rd_kafka_mock_partition_set_leader(cluster, topic, partition, id))
    }

    func createTopic(_ name: String, partitions: Int32, replicationFactor: Int32) throws {
        try check(rd_kafka_mock_topic_create(cluster, name, partitions, replicationFactor))
    }

    /// The next requests of `apiKey` fail with `errors`, one each, in order.
    func pushRequestErrors(apiKey: Int16, errors: [rd_kafka_resp_err_t]) {
        rd_kafka_mock_push_request_errors_array(cluster, apiKey, errors.count, errors)
    }

    func clearRequestErrors() {
        for apiKey in Int16(0)...Int16(Self.highestApiKey) {
            rd_kafka_mock_clear_request_errors(cluster, apiKey)
        }
    }

    /// Above every request key librdkafka 2.0.2 knows.
    private static let highestApiKey = 70

    private func check(_ code: rd_kafka_resp_err_t) throws {
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw MockClusterError(description: "\(String(cString: rd_kafka_err2name(code))): \(String(cString: rd_kafka_err2str(code)))")
        }
    }
}
