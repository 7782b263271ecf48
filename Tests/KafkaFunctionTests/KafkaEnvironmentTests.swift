import Kafka
import Testing

@testable import APIGatewayFrontEnd
@testable import DirectFrontEnd
@testable import EventSourceFrontEnd
@testable import FunctionCore
@testable import JSON
@testable import KafkaFunction
@testable import WebSocketFrontEnd

/// Reads a `KafkaConfiguration` the way the function does at start.
func loadKafkaConfiguration(_ env: [String: String]) throws(ConfigurationError) -> KafkaConfiguration {
    try KafkaEnvironment.configuration(Environment(env))
}

func kafkaConfigurationError(_ env: [String: String]) -> ConfigurationError? {
    do {
        _ = try loadKafkaConfiguration(env)
        return nil
    } catch {
        return error
    }
}

@Suite struct KafkaEnvironmentTests {
    private func error(_ env: [String: String]) -> ConfigurationError? { kafkaConfigurationError(env) }

    @Test func readsTheEndpointAndProperties() throws {
        let configuration = try loadKafkaConfiguration([
            "KAFKA_ENDPOINT": " b1:9092,b2:9092 ", "KAFKA_CONFIG_LINGER_MS": "5",
            "KAFKA_CONFIG_COMPRESSION_TYPE": "zstd", "OTHER": "ignored",
        ])
        #expect(configuration.bootstrapServers == "b1:9092,b2:9092")
        #expect(configuration.tls == nil)
        #expect(configuration.sasl == nil)
        #expect(configuration.properties.map(\.0) == ["compression.type", "linger.ms"])
        #expect(configuration.properties.map(\.1) == ["zstd", "5"])
    }

    @Test func readsTLS() throws {
        let configuration = try loadKafkaConfiguration(["KAFKA_ENDPOINT": "b:9094", "KAFKA_TLS": "true", "KAFKA_AUTH": "none"])
        #expect(configuration.tls == KafkaConfiguration.TLS(trustRoots: .systemDefault))
        #expect(configuration.sasl == nil)
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

    @Test func oneErrorFormatNamesTheVariableFirst() {
        let failure = error(["KAFKA_ENDPOINT": "b:9092", "KAFKA_TLS": "yes"])
        #expect(failure?.functionError.errorType == "Function.InvalidConfiguration")
        #expect(failure?.functionError.errorMessage.hasPrefix("KAFKA_TLS: ") == true, "\(String(describing: failure))")
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
