import Testing

@testable import Kafka

/// With `KAFKA_AUTH=iam` the reconnect backoff keeps within MSK's new-connection rate, unless overridden.
@Suite struct IAMReconnectBackoffTests {
    static let iam = ["KAFKA_ENDPOINT": "b-1.example:9098", "KAFKA_AUTH": "iam", "AWS_REGION": "eu-west-1"]

    private func native(_ env: [String: String]) throws -> NativeConfiguration {
        try KafkaConfiguration.fromEnvironment(env).makeNativeConfiguration(role: .producer)
    }

    @Test func iamDefaultsToASecondGrowingToTen() throws {
        let configuration = try native(Self.iam)
        #expect(configuration.value(of: "reconnect.backoff.ms") == "1000")
        #expect(configuration.value(of: "reconnect.backoff.max.ms") == "10000")
    }

    @Test func aVariableOverridesTheIAMDefaults() throws {
        let configuration = try native(Self.iam.merging([
            "KAFKA_CONFIG_RECONNECT_BACKOFF_MS": "250", "KAFKA_CONFIG_RECONNECT_BACKOFF_MAX_MS": "30000",
        ]) { $1 })
        #expect(configuration.value(of: "reconnect.backoff.ms") == "250")
        #expect(configuration.value(of: "reconnect.backoff.max.ms") == "30000")
    }

    @Test func otherAuthenticationKeepsLibrdkafkasDefaults() throws {
        let configuration = try native(["KAFKA_ENDPOINT": "127.0.0.1:9092"])
        #expect(configuration.value(of: "reconnect.backoff.ms") == "100")
    }
}
