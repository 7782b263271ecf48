import Kafka
import KafkaAdminClient
import Logging
import Testing

/// librdkafka 2.0.2 itself prints `sasl.password = [redacted]` and no token material, even with
/// `debug=all` (NoSecretsInOutputTests checks that end to end); the forwarder masks secrets anyway,
/// in case a version or a passthrough property prints one.
@Suite(.offCooperativePool) struct LogRedactionTests {
    @Test func aConfiguredPasswordIsMaskedInEveryForwardedLine() throws {
        let handler = CapturingLogHandler()
        let logger = Logger(label: "LogRedactionTests") { _ in handler }
        // A password librdkafka is sure to print: its own name, in its start-up line.
        let configuration = KafkaConfiguration(
            bootstrapServers: "127.0.0.1:1", tls: KafkaConfiguration.TLS(),
            sasl: .scramSHA512(KafkaConfiguration.UserCredentials(username: "alice", password: "librdkafka")),
            properties: [("debug", "generic")])
        _ = try KafkaAdmin(configuration: configuration, logger: logger)
        let lines = handler.entries.map(\.1)
        #expect(lines.contains { $0.contains("<redacted> v2.") }, "the start-up line, masked")
        #expect(!lines.contains { $0.contains("librdkafka") })
    }
}
