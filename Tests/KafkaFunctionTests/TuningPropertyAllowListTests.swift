import Kafka
import Testing

@testable import APIGatewayFrontEnd
@testable import DirectFrontEnd
@testable import EventSourceFrontEnd
@testable import FunctionCore
@testable import JSON
@testable import KafkaFunction
@testable import WebSocketFrontEnd

/// `KAFKA_CONFIG_*` takes client tuning properties only; every other property is an init error
/// naming the variable, whatever its value.
@Suite struct TuningPropertyAllowListTests {
    /// Forbidden properties by why they are forbidden, each with a value librdkafka would accept.
    static let forbidden: [(kind: String, variable: String, value: String, reason: String)] = [
        ("loads code", "KAFKA_CONFIG_PLUGIN_LIBRARY_PATHS", "/tmp/evil.so", "load code"),
        ("loads code", "KAFKA_CONFIG_SSL_ENGINE_LOCATION", "/tmp/evil.so", "load code"),
        ("loads code", "KAFKA_CONFIG_SSL_PROVIDERS", "legacy", "load code"),
        ("trust roots", "KAFKA_CONFIG_SSL_CA_PEM", "-----BEGIN CERTIFICATE-----", "KAFKA_CA_FILE"),
        ("trust roots", "KAFKA_CONFIG_SSL_CA_LOCATION", "/etc/ssl/certs", "KAFKA_CA_FILE"),
        ("weakens TLS", "KAFKA_CONFIG_SSL_CIPHER_SUITES", "NULL", "TLS settings are fixed"),
        ("weakens TLS", "KAFKA_CONFIG_ENABLE_SSL_CERTIFICATE_VERIFICATION", "false", "always on"),
        ("weakens TLS", "KAFKA_CONFIG_SSL_KEY_PEM", "k3y-material", "TLS settings are fixed"),
        ("other cluster", "KAFKA_CONFIG_BOOTSTRAP_SERVERS", "attacker.example:9092", "KAFKA_ENDPOINT"),
        ("other cluster", "KAFKA_CONFIG_METADATA_BROKER_LIST", "attacker.example:9092", "KAFKA_ENDPOINT"),
        ("authentication", "KAFKA_CONFIG_SECURITY_PROTOCOL", "plaintext", "KAFKA_AUTH"),
        ("authentication", "KAFKA_CONFIG_SASL_MECHANISM", "PLAIN", "KAFKA_AUTH"),
        ("authentication", "KAFKA_CONFIG_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL", "http://attacker.example/", "KAFKA_AUTH"),
        ("wrapper semantics", "KAFKA_CONFIG_ENABLE_IDEMPOTENCE", "false", "not a client tuning property"),
        ("wrapper semantics", "KAFKA_CONFIG_ALLOW_AUTO_CREATE_TOPICS", "true", "not a client tuning property"),
        ("wrapper semantics", "KAFKA_CONFIG_GROUP_ID", "schedule-group", "not a client tuning property"),
    ]

    @Test(arguments: forbidden.map(\.variable))
    func aForbiddenPropertyIsAnErrorNamingTheVariable(variable: String) throws {
        let entry = try #require(Self.forbidden.first { $0.variable == variable })
        let error = kafkaConfigurationError(["KAFKA_ENDPOINT": "b:9092", "KAFKA_TLS": "true", variable: entry.value])
        #expect(error?.variable == variable, "\(entry.kind)")
        #expect(error?.message.contains("not a client tuning property") == true, "\(String(describing: error))")
        #expect(error?.message.contains(entry.reason) == true, "\(String(describing: error))")
        #expect(error?.message.contains(entry.value) == false, "the value is not quoted")
    }

    @Test func theFirstForbiddenVariableByNameIsReported() {
        let error = kafkaConfigurationError([
            "KAFKA_ENDPOINT": "b:9092", "KAFKA_CONFIG_LINGER_MS": "5",
            "KAFKA_CONFIG_SSL_PROVIDERS": "legacy", "KAFKA_CONFIG_PLUGIN_LIBRARY_PATHS": "/tmp/x.so",
        ])
        #expect(error?.variable == "KAFKA_CONFIG_PLUGIN_LIBRARY_PATHS")
    }

    @Test func everyAllowedPropertyIsKnownToLibrdkafkaAndNoneTouchesSecurity() {
        for name in TuningProperties.allowed.sorted() {
            let refusal = TuningProperties.refusal(name: name, value: "not-a-value")
            #expect(refusal?.contains("No such configuration property") != true, "\(name): \(refusal ?? "")")
            #expect(!name.hasPrefix("ssl.") && !name.hasPrefix("sasl.") && !name.contains("plugin") && !name.contains("servers"))
        }
    }

    @Test func allowedPropertiesOfEachKindAreAccepted() throws {
        let configuration = try loadKafkaConfiguration([
            "KAFKA_ENDPOINT": "b:9092", "KAFKA_CONFIG_LINGER_MS": "20", "KAFKA_CONFIG_BATCH_SIZE": "65536",
            "KAFKA_CONFIG_MESSAGE_TIMEOUT_MS": "30000", "KAFKA_CONFIG_RETRIES": "5", "KAFKA_CONFIG_COMPRESSION_TYPE": "lz4",
            "KAFKA_CONFIG_FETCH_MAX_BYTES": "1048576", "KAFKA_CONFIG_SOCKET_KEEPALIVE_ENABLE": "true",
            "KAFKA_CONFIG_METADATA_MAX_AGE_MS": "60000", "KAFKA_CONFIG_DEBUG": "broker,protocol",
        ])
        #expect(configuration.properties.count == 9)
    }

    @Test func theLibraryRefusesAnUnlistedPropertyEvenWhenGivenDirectly() throws {
        let configuration = KafkaConfiguration(bootstrapServers: "127.0.0.1:1", properties: [("plugin.library.paths", "/tmp/x.so")])
        #expect(throws: KafkaError.self) {
            _ = try KafkaProducer(configuration: configuration, logger: .init(label: "TuningPropertyAllowListTests"))
        }
    }
}
