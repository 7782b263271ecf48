import Foundation
import TestSupport
import Testing

/// Least privilege for callers, through the real bootstrap against a listener that records every
/// CreateTopics request: API callers never create topics, direct events ask for a bounded number
/// of partitions, and topic creation can be switched off.
@Suite(.offCooperativePool, .serialized) struct CallerLimitsEndToEndTests {
    private func emulator(_ listener: KafkaProtocolTestListener, _ environment: [String: String] = [:]) throws -> EmulatorHarness {
        try EmulatorHarness(
            environment: environment.merging(["KAFKA_ENDPOINT": listener.bootstrapServer]) { current, _ in current },
            timeoutSeconds: 10)
    }

    private func functionError(_ emulator: EmulatorHarness, _ event: String) throws -> [String: Any] {
        let result = try emulator.invoke(event)
        #expect(result.functionError == "Unhandled", "\(result.text)")
        return try result.jsonObject()
    }

    @Test func anAPIProduceToAMissingTopicSendsNoCreateTopics() throws {
        let listener = try KafkaProtocolTestListener(existingTopics: ["taken"])
        defer { listener.stop() }
        let emulator = try emulator(listener)
        defer { emulator.stop() }
        let event = try APIGatewayEndToEndTests.httpAPIEvent(
            "POST", "/topics/fresh", contentType: "application/json", body: #"{"records":[{"value":"x"}]}"#)
        let result = try emulator.invoke(event)
        #expect(result.functionError == nil, "\(result.text)")
        let proxy = try result.jsonObject()
        #expect(proxy.int("statusCode") == 404)
        let body = try #require(try JSONSerialization.jsonObject(with: Data((proxy.string("body") ?? "").utf8)) as? [String: Any])
        #expect(body.int("error_code") == 40401)
        #expect(body.string("message") == "Topic not found.")
        #expect(listener.topicCreations.isEmpty)
    }

    @Test func aDirectEventAskingForTooManyPartitionsIsRefusedBeforeKafka() throws {
        let listener = try KafkaProtocolTestListener(existingTopics: [])
        defer { listener.stop() }
        let defaults = try emulator(listener)
        let refused = try functionError(defaults, #"{"action":"produce","topic":"fresh","num_partitions":100000,"records":[{"value":"x"}]}"#)
        defaults.stop()
        #expect(refused.string("errorType") == "Function.InvalidEvent")
        #expect(refused.string("errorMessage")?.contains("'num_partitions' must be at most 64") == true, "\(refused)")
        #expect(refused.int("max_partitions") == 64)

        let limited = try emulator(listener, ["LAMBDA_KAFKA_MAX_PARTITIONS": "8"])
        defer { limited.stop() }
        let overLimit = try functionError(limited, #"{"action":"produce","topic":"fresh","num_partitions":9,"records":[{"value":"x"}]}"#)
        #expect(overLimit.string("errorMessage")?.contains("LAMBDA_KAFKA_MAX_PARTITIONS") == true, "\(overLimit)")
        #expect(listener.topicCreations.isEmpty)
    }

    @Test func withTopicCreationOffAMissingTopicIsNotFoundAndNotCreated() throws {
        let listener = try KafkaProtocolTestListener(existingTopics: [])
        defer { listener.stop() }
        let emulator = try emulator(listener, ["LAMBDA_KAFKA_CREATE_TOPICS": "false"])
        defer { emulator.stop() }
        let error = try functionError(emulator, #"{"action":"produce","topic":"fresh","num_partitions":2,"records":[{"value":"x"}]}"#)
        #expect(error.string("errorType") == "Function.TopicNotFound", "\(error)")
        #expect(error.string("errorMessage")?.contains("LAMBDA_KAFKA_CREATE_TOPICS") == true)
        #expect(listener.topicCreations.isEmpty)
    }

    @Test(arguments: [
        ("LAMBDA_KAFKA_MAX_PARTITIONS", "0"), ("LAMBDA_KAFKA_CREATE_TOPICS", "maybe"), ("LAMBDA_KAFKA_API_GROUP_PREFIX", "api prefix"),
    ])
    func aBadLimitIsAnInitErrorNamingTheVariable(variable: String, value: String) throws {
        let emulator = try EmulatorHarness(environment: ["KAFKA_ENDPOINT": "127.0.0.1:1", variable: value])
        defer { emulator.stop() }
        let body = try functionError(emulator, #"{"action":"offsets","topic":"t"}"#)
        #expect(body.string("errorType") == "Function.InvalidConfiguration")
        #expect(body.string("errorMessage")?.hasPrefix("\(variable): ") == true, "\(body)")
    }
}
