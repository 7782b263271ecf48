import Testing

@testable import Kafka

/// With `KAFKA_AUTH=iam` the reconnect backoff keeps within MSK's new-connection rate, unless overridden.
@Suite(.offCooperativePool) struct IAMReconnectBackoffTests {
    static func iam(_ properties: [(String, String)] = []) throws -> KafkaConfiguration {
        var configuration = try SASLWireTests.iamConfiguration("b-1.example:9098", caFile: nil, credentialVariables: [
            "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret-not-used",
        ])
        configuration.properties = properties
        return configuration
    }

    private func native(_ configuration: KafkaConfiguration) throws -> NativeConfiguration {
        try configuration.makeNativeConfiguration(role: .producer)
    }

    @Test func iamDefaultsToASecondGrowingToTen() throws {
        let configuration = try native(try Self.iam())
        #expect(configuration.value(of: "reconnect.backoff.ms") == "1000")
        #expect(configuration.value(of: "reconnect.backoff.max.ms") == "10000")
    }

    @Test func aVariableOverridesTheIAMDefaults() throws {
        let configuration = try native(try Self.iam([("reconnect.backoff.ms", "250"), ("reconnect.backoff.max.ms", "30000")]))
        #expect(configuration.value(of: "reconnect.backoff.ms") == "250")
        #expect(configuration.value(of: "reconnect.backoff.max.ms") == "30000")
    }

    @Test func otherAuthenticationKeepsLibrdkafkasDefaults() throws {
        let configuration = try native(KafkaConfiguration(bootstrapServers: "127.0.0.1:9092"))
        #expect(configuration.value(of: "reconnect.backoff.ms") == "100")
    }
}
