/// The librdkafka properties a `KafkaConfiguration` may carry: client tuning only. Anything that
/// loads code, chooses the cluster, or touches TLS or SASL has its own typed setting or none at all,
/// so a property not named here is refused (an allow-list: a new librdkafka property stays out until added).
public enum TuningProperties {
    public static let batching: Set<String> = [
        "linger.ms", "queue.buffering.max.ms", "batch.num.messages", "batch.size",
        "queue.buffering.max.messages", "queue.buffering.max.kbytes", "queue.buffering.backpressure.threshold",
        "sticky.partitioning.linger.ms",
    ]
    public static let timeouts: Set<String> = [
        "message.timeout.ms", "delivery.timeout.ms", "request.timeout.ms", "socket.timeout.ms",
        "socket.connection.setup.timeout.ms", "api.version.request.timeout.ms",
        "session.timeout.ms", "heartbeat.interval.ms", "max.poll.interval.ms",
    ]
    public static let retries: Set<String> = [
        "message.send.max.retries", "retries", "retry.backoff.ms",
        "reconnect.backoff.ms", "reconnect.backoff.max.ms", "fetch.error.backoff.ms",
    ]
    public static let compression: Set<String> = ["compression.type", "compression.codec", "compression.level"]
    public static let fetchSizes: Set<String> = [
        "fetch.wait.max.ms", "fetch.min.bytes", "fetch.max.bytes", "max.partition.fetch.bytes",
        "fetch.message.max.bytes", "queued.min.messages", "queued.max.messages.kbytes",
        "message.max.bytes", "receive.message.max.bytes",
    ]
    public static let socket: Set<String> = [
        "socket.send.buffer.bytes", "socket.receive.buffer.bytes", "socket.keepalive.enable",
        "socket.nagle.disable", "socket.max.fails", "connections.max.idle.ms",
        "broker.address.ttl", "broker.address.family", "max.in.flight.requests.per.connection", "max.in.flight",
    ]
    public static let metadata: Set<String> = [
        "metadata.max.age.ms", "topic.metadata.refresh.interval.ms", "topic.metadata.refresh.fast.interval.ms",
        "topic.metadata.refresh.sparse", "topic.metadata.propagation.max.ms",
    ]
    public static let debugging: Set<String> = ["debug", "log.connection.close"]

    public static let allowed: Set<String> =
        batching.union(timeouts).union(retries).union(compression).union(fetchSizes)
        .union(socket).union(metadata).union(debugging)

    /// Why `name` may not be set, or nil when it is a tuning property librdkafka accepts with `value`.
    public static func refusal(name: String, value: String) -> String? {
        guard allowed.contains(name) else { return "'\(name)' is not a client tuning property; \(reasonOutsideList(name))" }
        if let reason = NativeConfiguration.validate(name: name, value: value) {
            return "is not a valid setting for '\(name)': \(reason)"
        }
        return nil
    }

    private static func reasonOutsideList(_ name: String) -> String {
        switch name {
        case "plugin.library.paths", "ssl.engine.location", "ssl.providers", "interceptors":
            return "it makes librdkafka load code"
        case "bootstrap.servers", "metadata.broker.list":
            return "KAFKA_ENDPOINT sets the brokers"
        case "security.protocol":
            return "KAFKA_AUTH and KAFKA_TLS control it"
        case "enable.ssl.certificate.verification", "ssl.endpoint.identification.algorithm":
            return "broker certificate and host name verification is always on; use KAFKA_CA_FILE to trust a private CA"
        case "ssl.ca.location", "ssl.ca.pem", "ssl.ca.certificate.stores":
            return "KAFKA_CA_FILE sets the trusted CAs"
        case _ where name.hasPrefix("ssl."):
            return "TLS settings are fixed (verified TLS with the default ciphers)"
        case _ where name.hasPrefix("sasl.") || name.hasPrefix("enable.sasl."):
            return "KAFKA_AUTH, KAFKA_USERNAME and KAFKA_PASSWORD control SASL"
        default:
            return "allowed are batching, linger, timeouts, retries, compression, fetch sizes, socket, metadata and debug settings (docs/configuration.md)"
        }
    }
}
