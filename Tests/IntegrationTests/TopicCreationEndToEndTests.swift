import Foundation
import TestSupport
import Testing

/// Topic creation through the real bootstrap: broker auto-creation on the local cluster (which has
/// no CreateTopics), CreateTopics through the independent broker's controller, and the request
/// itself against a listener that decodes it.
@Suite(.offCooperativePool, .serialized) struct TopicCreationEndToEndTests {
    @Test(.kafkaEndToEnd) func theLocalClusterLeavesCreationToTheBrokerAndSaysSo() throws {
        let kafka = try KafkaEndToEnd.shared(.mock)
        let topic = uniqueTopic("auto")
        let first = try kafka.succeed(#"{"action":"produce","topic":"\#(topic)","num_partitions":2,"records":[{"value":"one"}]}"#)
        #expect(first.bool("topic_created") == true)
        let explanation = try #require(first.string("topic_creation"))
        #expect(explanation.contains("auto-create") && explanation.contains("CreateTopics"))

        let second = try kafka.succeed(#"{"action":"produce","topic":"\#(topic)","records":[{"value":"two"}]}"#)
        #expect(second.bool("topic_created") == false)
        #expect(second["topic_creation"] == nil)
        #expect(try kafka.storedCounts(topic: topic).values.reduce(0, +) == 2)
    }

    /// A real controller: the topic gets exactly the partitions the event asked for, the records
    /// land in it, and a second produce finds it.
    @Test(.kafkaEndToEnd) func theIndependentBrokerCreatesTheTopicWithTheEventsPartitions() throws {
        let kafka = try KafkaEndToEnd.shared(.independent)
        let topic = uniqueTopic("created")
        let first = try kafka.succeed(
            #"{"action":"produce","topic":"\#(topic)","num_partitions":5,"records":[{"value":"one","partition":4}]}"#)
        #expect(first.bool("topic_created") == true)
        #expect(first["topic_creation"] == nil, "created by CreateTopics, not left to the broker: \(first)")
        #expect(first.objects("records").first?.int("partition") == 4)

        let second = try kafka.succeed(#"{"action":"produce","topic":"\#(topic)","num_partitions":9,"records":[{"value":"two"}]}"#)
        #expect(second.bool("topic_created") == false)
        #expect(try kafka.storedCounts(topic: topic).keys.sorted() == Array(0..<5))
        #expect(try kafka.storedCounts(topic: topic).values.reduce(0, +) == 2)

        // create_topic false on a missing topic: not created behind the caller's back.
        let missing = uniqueTopic("not-created")
        let refused = try kafka.fail(#"{"action":"produce","topic":"\#(missing)","create_topic":false,"records":[{"value":"x"}]}"#)
        #expect(refused.string("errorType") == "Function.TopicNotFound")
        #expect(try kafka.fail(#"{"action":"offsets","topic":"\#(missing)"}"#).string("errorType") == "Function.TopicNotFound")
    }

    @Test func theCreateTopicsRequestCarriesTheEventsSettings() throws {
        // "listed" exists and Metadata says so: no CreateTopics. "taken" is created by someone
        // else between the lookup and the CreateTopics: TOPIC_ALREADY_EXISTS is success.
        let listener = try KafkaProtocolTestListener(existingTopics: ["listed"], racingTopics: ["taken"])
        defer { listener.stop() }
        // A short invocation timeout: the listener cannot take records, so the produce must give
        // up at the deadline and still answer.
        let emulator = try EmulatorHarness(environment: ["KAFKA_ENDPOINT": listener.bootstrapServer], timeoutSeconds: 4)
        defer { emulator.stop() }

        let created = try produceAndFail(emulator, #"{"action":"produce","topic":"fresh","num_partitions":6,"replication_factor":2,"records":[{"value":"x"}]}"#)
        let exists = try produceAndFail(emulator, #"{"action":"produce","topic":"taken","num_partitions":1,"replication_factor":-1,"records":[{"value":"y"}]}"#)
        let listed = try produceAndFail(emulator, #"{"action":"produce","topic":"listed","num_partitions":1,"records":[{"value":"z"}]}"#)

        let requests = listener.topicCreations
        #expect(requests.map(\.name) == ["fresh", "taken"])
        #expect(requests.map(\.partitions) == [6, 1])
        #expect(requests.map(\.replicationFactor) == [2, -1])
        #expect(requests.allSatisfy { $0.timeoutMs > 0 && $0.timeoutMs <= 4000 })

        // The error still says whether this invocation created the topic.
        #expect(created.bool("topic_created") == true)
        #expect(created["topic_creation"] == nil, "created by CreateTopics, not left to the broker")
        #expect(exists.bool("topic_created") == false)
        #expect(listed.bool("topic_created") == false)
    }

    /// Produces to the listener, which cannot store records: the answer must be a structured
    /// error, in bounded time, listing the record that failed.
    private func produceAndFail(_ emulator: EmulatorHarness, _ event: String) throws -> [String: Any] {
        let result = try emulator.invokeFailingBeforeDeadline(event, deadlineSeconds: 4, timeout: 30)
        let body = try result.jsonObject()
        #expect(body.string("errorType") == "Function.ProduceIncomplete", "\(body)")
        #expect(body.int("delivered") == 0 && body.int("failed") == 1)
        #expect(body.objects("failed_records").map { $0.int("index") } == [0])
        return body
    }
}
