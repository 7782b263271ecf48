import Foundation
import TestSupport
import Testing

/// The real bootstrap refuses a `KAFKA_CONFIG_*` variable outside the tuning allow-list as an init
/// error naming the variable, one property per class of harm (docs/configuration.md).
@Suite(.offCooperativePool) struct TuningPropertyInitErrorTests {
    @Test(arguments: [
        ("KAFKA_CONFIG_PLUGIN_LIBRARY_PATHS", "/tmp/librdkafka-plugin.so"),  // loads code
        ("KAFKA_CONFIG_SSL_CA_PEM", "-----BEGIN CERTIFICATE-----"),  // trust roots beside KAFKA_CA_FILE
        ("KAFKA_CONFIG_SSL_CIPHER_SUITES", "NULL-SHA"),  // weakens TLS
        ("KAFKA_CONFIG_BOOTSTRAP_SERVERS", "127.0.0.2:9092"),  // another cluster than KAFKA_ENDPOINT
        ("KAFKA_CONFIG_SASL_USERNAME", "someone"),  // authentication
        ("KAFKA_CONFIG_ENABLE_IDEMPOTENCE", "false"),  // the wrapper's delivery guarantee
    ])
    func aForbiddenPropertyIsAnInitErrorNamingTheVariable(variable: String, value: String) throws {
        let emulator = try EmulatorHarness(environment: ["KAFKA_ENDPOINT": "127.0.0.1:1", variable: value])
        defer { emulator.stop() }
        let result = try emulator.invoke(#"{"action":"offsets","topic":"t"}"#)
        #expect(result.functionError == "Unhandled")
        let body = try result.jsonObject()
        #expect(body["errorType"] as? String == "Function.InvalidConfiguration")
        let message = try #require(body["errorMessage"] as? String)
        #expect(message.hasPrefix("\(variable): "), "\(message)")
        #expect(message.contains("not a client tuning property"), "\(message)")
        #expect(!message.contains(value))
        #expect(emulator.waitForStandardError { $0.contains("init error: Function.InvalidConfiguration") })
    }
}
