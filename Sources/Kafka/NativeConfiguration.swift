import CRdKafka

/// What a librdkafka handle is for; decides the settings the wrapper's semantics depend on.
package enum ClientRole: Sendable {
    case producer
    case consumer(groupID: String?)
    case admin
}

/// Sole owner of an `rd_kafka_conf_t` until `rd_kafka_new` takes it over.
package final class NativeConfiguration {
    private(set) var pointer: OpaquePointer?
    /// Set for OAUTHBEARER (MSK IAM): `NativeClient` installs the OAUTHBEARER token refresh callback that uses it.
    var tokenProvider: (any OAuthBearerTokenProvider)?
    /// Values librdkafka holds that must never reach a log line (the SASL password).
    var secrets: [String] = []

    init() {
        pointer = rd_kafka_conf_new()
    }

    deinit {
        if let pointer { rd_kafka_conf_destroy(pointer) }
    }

    /// `rd_kafka_new` succeeded and now owns the configuration.
    func relinquish() {
        pointer = nil
    }

    /// Sets one property; returns librdkafka's reason on failure.
    func set(_ name: String, _ value: String) -> String? {
        guard let pointer else { return "configuration already handed over" }
        var reason = [CChar](repeating: 0, count: 512)
        let result = rd_kafka_conf_set(pointer, name, value, &reason, reason.count)
        guard result != RD_KAFKA_CONF_OK else { return nil }
        return String(decoding: reason.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The value librdkafka holds for `name`, or nil when unknown or handed over.
    func value(of name: String) -> String? {
        guard let pointer else { return nil }
        var size = 0
        guard rd_kafka_conf_get(pointer, name, nil, &size) == RD_KAFKA_CONF_OK, size > 0 else { return nil }
        var buffer = [CChar](repeating: 0, count: size)
        guard rd_kafka_conf_get(pointer, name, &buffer, &size) == RD_KAFKA_CONF_OK else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func setOrThrow(_ name: String, _ value: String) throws(KafkaError) {
        if let reason = set(name, value) {
            throw KafkaError(code: RD_KAFKA_RESP_ERR__INVALID_ARG, message: "\(name): \(reason)")
        }
    }

    /// Checks one user-supplied property against a scratch configuration.
    static func validate(name: String, value: String) -> String? {
        guard let reason = NativeConfiguration().set(name, value) else { return nil }
        // librdkafka's reason may quote the value; keep secrets out of errors and logs.
        return mayHoldSecret(name) ? "rejected by librdkafka (reason withheld: the property may hold a secret)" : reason
    }

    static func mayHoldSecret(_ name: String) -> Bool {
        ["password", "secret", "token", "sasl", "key"].contains { name.contains($0) }
    }
}

extension KafkaConfiguration {
    static let iamReconnectBackoffMs = "1000"
    static let iamReconnectBackoffMaxMs = "10000"

    /// The one place a `KafkaConfiguration` becomes librdkafka settings (authentication extends this).
    package func makeNativeConfiguration(role: ClientRole) throws(KafkaError) -> NativeConfiguration {
        let native = NativeConfiguration()
        try native.setOrThrow("bootstrap.servers", bootstrapServers)
        try native.setOrThrow("client.id", "swift-lambda-kafka")
        try applySecurity(to: native)
        if case .consumer = role {
            // A seek (every read from a chosen offset) waits for the fetch already in flight, and
            // brokers hold an empty fetch up to this long: librdkafka's 500 ms default would add
            // up to half a second to a warm invocation; 10 ms keeps that wait small at the cost of more
            // fetch requests while a consume waits for data. A tuning property still overrides it.
            try native.setOrThrow("fetch.wait.max.ms", "10")
        }
        for (name, value) in properties {
            guard TuningProperties.allowed.contains(name) else {
                throw KafkaError(code: RD_KAFKA_RESP_ERR__INVALID_ARG, message: "\(name): not a client tuning property")
            }
            try native.setOrThrow(name, value)
        }
        // Set last: the wrapper's guarantees rest on these, whatever KAFKA_CONFIG_ says.
        switch role {
        case .producer:
            try native.setOrThrow("enable.idempotence", "true")
            try native.setOrThrow("acks", "all")
        case .consumer(let groupID):
            if let groupID { try native.setOrThrow("group.id", groupID) }
            try native.setOrThrow("enable.auto.commit", "false")
            try native.setOrThrow("enable.auto.offset.store", "false")
            try native.setOrThrow("enable.partition.eof", "true")
            try native.setOrThrow("auto.offset.reset", "earliest")
            try native.setOrThrow("allow.auto.create.topics", "false")
        case .admin:
            try native.setOrThrow("allow.auto.create.topics", "false")
        }
        return native
    }

    private func applySecurity(to native: NativeConfiguration) throws(KafkaError) {
        switch sasl {
        case nil:
            try native.setOrThrow("security.protocol", tls == nil ? "plaintext" : "ssl")
        case let .oauthBearer(bearer)?:
            guard tls != nil else {
                throw KafkaError(code: RD_KAFKA_RESP_ERR__INVALID_ARG, message: "\(bearer.tokenProvider.tokenKind) authentication needs TLS")
            }
            try native.setOrThrow("security.protocol", "sasl_ssl")
            try native.setOrThrow("sasl.mechanism", "OAUTHBEARER")
            native.tokenProvider = bearer.tokenProvider
            // MSK caps the rate of new IAM connections per broker (100 per second on M5/M7g, 4 on
            // T3), counting every SASL handshake; many environments reconnecting after librdkafka's
            // 100 ms default would exceed it and be refused again. AWS suggests about a second.
            // KAFKA_CONFIG_RECONNECT_BACKOFF_MS and _MAX_MS, applied after this, override both.
            try native.setOrThrow("reconnect.backoff.ms", Self.iamReconnectBackoffMs)
            try native.setOrThrow("reconnect.backoff.max.ms", Self.iamReconnectBackoffMaxMs)
        case let .plain(credentials)?:
            try applyUserCredentials(credentials, mechanism: "PLAIN", to: native)
        case let .scramSHA256(credentials)?:
            try applyUserCredentials(credentials, mechanism: "SCRAM-SHA-256", to: native)
        case let .scramSHA512(credentials)?:
            try applyUserCredentials(credentials, mechanism: "SCRAM-SHA-512", to: native)
        }
        if let tls {
            try native.setOrThrow("enable.ssl.certificate.verification", "true")
            try native.setOrThrow("ssl.endpoint.identification.algorithm", "https")
            if case let .pemFile(path) = tls.trustRoots {
                try native.setOrThrow("ssl.ca.location", path)
            }
        }
    }

    private func applyUserCredentials(
        _ credentials: UserCredentials, mechanism: String, to native: NativeConfiguration
    ) throws(KafkaError) {
        try native.setOrThrow("security.protocol", tls == nil ? "sasl_plaintext" : "sasl_ssl")
        try native.setOrThrow("sasl.mechanism", mechanism)
        try native.setOrThrow("sasl.username", credentials.username)
        native.secrets.append(credentials.password)
        if native.set("sasl.password", credentials.password) != nil {
            // librdkafka's reason could quote the value.
            throw KafkaError(code: RD_KAFKA_RESP_ERR__INVALID_ARG, message: "sasl.password: rejected by librdkafka")
        }
    }
}
