import Kafka
import Testing

@Suite struct ConfigurationTests {
    private func error(_ env: [String: String]) -> KafkaConfigurationError? {
        do {
            _ = try KafkaConfiguration.fromEnvironment(env)
            return nil
        } catch {
            return error
        }
    }

    @Test func readsTheEndpointAndProperties() throws {
        let configuration = try KafkaConfiguration.fromEnvironment([
            "KAFKA_ENDPOINT": " b1:9092,b2:9092 ", "KAFKA_CONFIG_LINGER_MS": "5",
            "KAFKA_CONFIG_COMPRESSION_TYPE": "zstd", "OTHER": "ignored",
        ])
        #expect(configuration.bootstrapServers == "b1:9092,b2:9092")
        #expect(configuration.security == .plaintext)
        #expect(configuration.properties.map(\.0) == ["compression.type", "linger.ms"])
        #expect(configuration.properties.map(\.1) == ["zstd", "5"])
    }

    @Test func readsTLS() throws {
        let configuration = try KafkaConfiguration.fromEnvironment(["KAFKA_ENDPOINT": "b:9094", "KAFKA_TLS": "true", "KAFKA_AUTH": "none"])
        #expect(configuration.security == KafkaSecurity(tls: true, authentication: .none))
    }

    @Test func errorsNameTheVariable() {
        #expect(error([:])?.variable == "KAFKA_ENDPOINT")
        #expect(error(["KAFKA_ENDPOINT": "  "])?.variable == "KAFKA_ENDPOINT")
        #expect(error(["KAFKA_ENDPOINT": "b:9092", "KAFKA_TLS": "yes"])?.variable == "KAFKA_TLS")
        #expect(error(["KAFKA_ENDPOINT": "b:9092", "KAFKA_AUTH": "kerberos"])?.variable == "KAFKA_AUTH")
        #expect(error(["KAFKA_ENDPOINT": "b:9092", "KAFKA_CONFIG_NO_SUCH_PROPERTY": "1"])?.variable == "KAFKA_CONFIG_NO_SUCH_PROPERTY")
        #expect(error(["KAFKA_ENDPOINT": "b:9092", "KAFKA_CONFIG_SECURITY_PROTOCOL": "ssl"])?.variable == "KAFKA_CONFIG_SECURITY_PROTOCOL")
        #expect(error(["KAFKA_ENDPOINT": "b:9092", "KAFKA_CONFIG_SASL_PASSWORD": "x"])?.variable == "KAFKA_CONFIG_SASL_PASSWORD")
    }

    @Test func invalidValuesCarryLibrdkafkasReason() {
        let failure = error(["KAFKA_ENDPOINT": "b:9092", "KAFKA_CONFIG_LINGER_MS": "soon"])
        #expect(failure?.variable == "KAFKA_CONFIG_LINGER_MS")
        #expect(failure?.message.contains("linger.ms") == true)
        #expect(failure?.message.contains("Invalid value") == true, "librdkafka's reason: \(failure?.message ?? "")")
    }

    @Test func reasonsForPropertiesThatMayHoldSecretsAreWithheld() {
        let failure = error(["KAFKA_ENDPOINT": "b:9092", "KAFKA_CONFIG_SSL_KEY_PASSWORD_TYPO": "hunter2"])
        #expect(failure?.variable == "KAFKA_CONFIG_SSL_KEY_PASSWORD_TYPO")
        #expect(failure?.message.contains("hunter2") == false)
    }
}
