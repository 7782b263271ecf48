import Foundation
import TestSupport
import Testing

/// 10,000 records produced through the emulator and the real bootstrap while the local cluster
/// fails in one way or another. Whatever the fault, every record must be either acknowledged or
/// reported failed, the answer must come before the deadline, and every acknowledged record must
/// be in the topic exactly once, at the partition and offset the answer gave.
@Suite(.offCooperativePool, .serialized, .tags(.slow), .onlyInSlowStep) struct KafkaFaultScenarioTests {
    static let recordCount = 10_000
    static let topic = "reliability"

    /// Small batches and some latency so one produce spans many requests and a fault lands in
    /// the middle of it, rather than after the last acknowledgement.
    ///
    /// The safety margin is raised from its 500 ms default: test builds are unoptimised (and
    /// maybe sanitized) and share two cores, and there decoding 10,000 records takes about a
    /// second and rendering a 10,000-record answer 0.2-0.6 s, after the Kafka work has stopped.
    /// DeadlineTests checks the default margin with small events.
    ///
    /// Reconnect backoff is capped at 1 s (librdkafka's default cap is 10 s): after an outage of
    /// every broker, the records are read back through the same function, whose clients must find
    /// the restored brokers within one invocation's time.
    static let environment = [
        "KAFKA_CONFIG_BATCH_NUM_MESSAGES": "100", "LAMBDA_KAFKA_SAFETY_MARGIN_MS": "2000",
        "KAFKA_CONFIG_RECONNECT_BACKOFF_MAX_MS": "1000",
    ]
    static let pacingRoundTripMs = 20

    @Test func aBrokerGoesDownMidProduceAndComesBack() throws {
        let recovered = DispatchSemaphore(value: 0)
        let summary = try runScenario("broker-down-and-back", timeoutSeconds: 15) { cluster in
            try cluster.command("broker-down 2")
            // The fault is the broker going down; its return a second later may come after the
            // answer (when the records it leads were acknowledged before it went down).
            Thread.detachNewThread {
                Thread.sleep(forTimeInterval: 1)
                try? cluster.command("broker-up 2")
                recovered.signal()
            }
        } restore: { _ in
            try #require(recovered.wait(timeout: .now() + 20) == .success, "broker 2 did not come back")
        }
        // Back well before the deadline: everything gets through.
        #expect(summary.acknowledged == Self.recordCount)
    }

    @Test func aBrokerGoesDownMidProduceAndStaysDown() throws {
        _ = try runScenario("broker-down-for-good", timeoutSeconds: 8) { cluster in
            try cluster.command("broker-down 1")
        } restore: { cluster in
            try cluster.command("broker-up 1")
        }
    }

    @Test func everyPartitionLeaderMovesMidProduce() throws {
        let summary = try runScenario("leader-moved", timeoutSeconds: 15) { cluster in
            for partition in 0..<3 {
                try cluster.command("leader \(Self.topic) \(partition) \((partition + 1) % 3 + 1)")
            }
        } restore: { _ in }
        // The new leaders are up: everything gets through.
        #expect(summary.acknowledged == Self.recordCount)
    }

    @Test func retriableProduceErrorsAndLatency() throws {
        let summary = try runScenario("request-errors-and-rtt", timeoutSeconds: 15) { cluster in
            try cluster.command("rtt 1 60")
            try cluster.command("rtt 3 60")
            try cluster.command(
                "request-errors 0 NOT_LEADER_FOR_PARTITION REQUEST_TIMED_OUT NOT_ENOUGH_REPLICAS NOT_LEADER_FOR_PARTITION REQUEST_TIMED_OUT")
        } restore: { cluster in
            try cluster.command("clear-errors")
        }
        // Retriable errors are retried: everything gets through.
        #expect(summary.acknowledged == Self.recordCount)
    }

    @Test func everyBrokerGoesDownMidProduce() throws {
        let summary = try runScenario("all-brokers-down", timeoutSeconds: 6, faultAfter: 0.5) { cluster in
            for broker in 1...3 { try cluster.command("broker-down \(broker)") }
        } restore: { cluster in
            for broker in 1...3 { try cluster.command("broker-up \(broker)") }
        }
        #expect(summary.reportedFailed > 0)
    }

    /// Runs one scenario and checks the invariants every scenario shares.
    func runScenario(
        _ name: String, timeoutSeconds: Double, faultAfter delay: TimeInterval = 0.1,
        fault: @escaping @Sendable (LocalKafkaCluster) throws -> Void,
        restore: (LocalKafkaCluster) throws -> Void
    ) throws -> DeliverySummary {
        let rig = try ReliabilityRig(timeoutSeconds: timeoutSeconds, environment: Self.environment)
        defer { rig.stop() }
        let cluster = rig.cluster
        try cluster.command("create-topic \(Self.topic) 3 3")
        // Warm: the producer exists and the topic is known, so the fault meets the records themselves.
        let warmUp = try rig.emulator.invoke(#"{"action":"produce","topic":"\#(Self.topic)","records":[{"value":{"warmup":true}}]}"#)
        try #require(warmUp.functionError == nil, "warm-up produce failed: \(warmUp.text.prefix(500))")
        for broker in 1...3 { try cluster.command("rtt \(broker) \(Self.pacingRoundTripMs)") }

        // Decoding 10,000 records takes a while in test builds: time it with the same event
        // against a topic that does not exist, and fault that long plus `delay` after invoking.
        let probeStarted = Date()
        let probe = try rig.emulator.invoke(Self.produceEvent(count: Self.recordCount, topic: "absent", createTopic: false))
        let decodeTime = Date().timeIntervalSince(probeStarted)
        try #require(try probe.jsonObject()["errorType"] as? String == "Function.TopicNotFound", "\(probe.text.prefix(300))")

        let background = rig.afterDelay(decodeTime + delay) { try fault(cluster) }
        let result = try rig.emulator.invoke(Self.produceEvent(count: Self.recordCount))
        let answeredAt = Date()
        try background.wait()
        try restore(cluster)
        for broker in 1...3 { try cluster.command("rtt \(broker) 0") }

        #expect(result.status == 200)
        #expect(!result.text.contains("Task timed out"), "\(name): \(result.text.prefix(300)); log: \(rig.emulator.standardError.suffix(2000))")
        let answer = try ProduceAnswer(result)
        if result.functionError != nil {
            #expect(answer.errorType == "Function.ProduceIncomplete", "\(name): \(result.text.prefix(500))")
        }
        let ranMs = try rig.reportedDuration(of: result)
        // The contract (see DeadlineTests): the answer comes at least 200 ms before the deadline.
        #expect(ranMs <= timeoutSeconds * 1000 - 200, "\(name): answered after \(ranMs) ms of \(timeoutSeconds) s")
        #expect(try #require(background.finishTime) < answeredAt, "\(name): the fault came after the answer")

        let consumed = try TopicReader.readAll(Self.topic, through: rig.emulator)
        let summary = DeliverySummary(scenario: name, sent: Self.recordCount, answer: answer, consumed: consumed)
        print("\(summary) answered_ms=\(Int(ranMs)) timeout_ms=\(Int(timeoutSeconds * 1000)) decode_probe_ms=\(Int(decodeTime * 1000))")
        #expect(summary.unaccounted == 0, "\(summary)")
        #expect(summary.listedTwice == 0, "\(summary)")
        #expect(summary.lost == 0, "\(summary)")
        if name == "broker-down-and-back" {
            // Whatever happens, a duplicate must have the one known shape: a batch appended twice.
            #expect(summary.strayCopiesAreEarlierAppendsOfTheSameBatches, "\(summary): \(summary.strayCopies.prefix(20))")
            withKnownIssue(Self.mockDuplicateCause, isIntermittent: true) {
                #expect(summary.duplicates == 0, "\(summary)")
            }
        } else {
            #expect(summary.duplicates == 0, "\(summary)")
        }
        #expect(summary.misplaced == 0, "\(summary)")
        #expect(summary.unknownIDs == 0, "\(summary)")
        #expect(answer.failed.values.allSatisfy { !$0.isEmpty }, "a failed record without a reason")
        return summary
    }

    /// Why a broker outage can leave one batch twice in the mock's log (about one run in five of
    /// scripts/repro/mock-idempotence-duplicate, which has neither Swift nor this project in it).
    static let mockDuplicateCause: Comment = """
        librdkafka 2.0.2's mock cluster appends a Produce request when it reads it and answers `rtt` \
        later; the outage closes the connection first, so librdkafka retries the batch with the same \
        producer id and sequence (possibly persisted), as it must. A real broker drops that retry as a \
        duplicate sequence; the mock checks sequences only for transactional producers \
        (rd_kafka_mock_validate_records returns early without a TransactionalId), so it appends the \
        batch again. Not our producer: each record is produced once.
        """

    /// Records `{"id":N}` spread over the three partitions, so every partition leader sees traffic.
    static func produceEvent(count: Int, topic: String = topic, createTopic: Bool = true) -> String {
        let records = (0..<count).map { #"{"value":{"id":\#($0)},"partition":\#($0 % 3)}"# }.joined(separator: ",")
        return #"{"action":"produce","topic":"\#(topic)","records":[\#(records)],"create_topic":\#(createTopic)}"#
    }
}
