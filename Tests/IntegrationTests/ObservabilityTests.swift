import Foundation
import TestSupport
import Testing

/// Embedded Metric Format lines, the trace header on produced records, and librdkafka's log
/// lines, through the emulator and the real bootstrap against a local cluster.
@Suite(.offCooperativePool, .serialized) struct ObservabilityTests {
    static let traceID = "Root=1-6740a5c0-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1"

    func emulator(_ cluster: LocalKafkaCluster, _ environment: [String: String]) throws -> EmulatorHarness {
        try EmulatorHarness(
            environment: ["KAFKA_ENDPOINT": cluster.bootstrapServers]
                .merging(environment) { _, new in new },
            timeoutSeconds: 60)
    }

    /// The bootstrap's stdout lines that are EMF documents (the emulator's own lines are text).
    func metricLines(_ emulator: EmulatorHarness) -> [[String: Any]] {
        emulator.process.standardOutput.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("{") else { return nil }
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return object?["_aws"] == nil ? nil : object
        }
    }

    func metricLine(_ emulator: EmulatorHarness, requestID: String?) throws -> [String: Any] {
        let requestID = try #require(requestID)
        let found = waitUntil { metricLines(emulator).contains { $0["RequestId"] as? String == requestID } }
        #expect(found, "no EMF line for \(requestID); stdout: \(emulator.process.standardOutput.suffix(2000))")
        return try #require(metricLines(emulator).first { $0["RequestId"] as? String == requestID })
    }

    @Test func metricLinesFollowTheEmbeddedMetricFormatAndCountRecordsAndBytes() throws {
        let cluster = try LocalKafkaCluster(brokers: 1)
        let emulator = try emulator(cluster, [
            "LAMBDA_KAFKA_METRICS": "emf", "LAMBDA_KAFKA_METRICS_NAMESPACE": "Tests/Kafka Metrics",
        ])
        defer { emulator.stop() }
        let produce = #"{"action":"produce","topic":"emf-topic","records":[{"key":"k1","value":"abc"},{"key":"k2","value":{"n":1}}]}"#
        let produced = try emulator.invoke(produce, headers: ["X-Amzn-Trace-Id": Self.traceID])
        #expect(produced.functionError == nil, "\(produced.text)")
        let consumed = try emulator.invoke(#"{"action":"consume","topic":"emf-topic","timeout_ms":10000}"#)
        #expect(consumed.functionError == nil, "\(consumed.text)")
        let invalid = try emulator.invoke(#"{"action":"consume","topic":"a b"}"#)
        #expect(invalid.functionError != nil)

        let expectedBytes = "k1".utf8.count + "abc".utf8.count + "k2".utf8.count + #"{"n":1}"#.utf8.count
        let produceLine = try metricLine(emulator, requestID: produced.requestID)
        try checkDirective(produceLine, namespace: "Tests/Kafka Metrics", withLatency: true)
        #expect(produceLine["Action"] as? String == "produce")
        #expect(produceLine["Topic"] as? String == "emf-topic")
        #expect(produceLine["RecordsProduced"] as? Int == 2)
        #expect(produceLine["BytesProduced"] as? Int == expectedBytes)
        #expect(produceLine["RecordsConsumed"] as? Int == 0)
        #expect(produceLine["Errors"] as? Int == 0)
        #expect(produceLine["ErrorType"] == nil)
        #expect(produceLine["TraceId"] as? String == Self.traceID)

        let consumeLine = try metricLine(emulator, requestID: consumed.requestID)
        try checkDirective(consumeLine, namespace: "Tests/Kafka Metrics", withLatency: true)
        #expect(consumeLine["Action"] as? String == "consume")
        #expect(consumeLine["RecordsConsumed"] as? Int == 2)
        #expect(consumeLine["BytesConsumed"] as? Int == expectedBytes)
        #expect(consumeLine["RecordsProduced"] as? Int == 0)
        #expect(consumeLine["Errors"] as? Int == 0)

        let errorLine = try metricLine(emulator, requestID: invalid.requestID)
        try checkDirective(errorLine, namespace: "Tests/Kafka Metrics", withLatency: false)
        #expect(errorLine["Action"] as? String == "none")
        #expect(errorLine["Errors"] as? Int == 1)
        #expect(errorLine["ErrorType"] as? String == "Function.InvalidEvent")
        #expect(metricLines(emulator).count == 3, "one line per invocation")
    }

    /// `_aws` as the EMF specification defines it, and a value for every metric it declares.
    func checkDirective(_ line: [String: Any], namespace: String, withLatency: Bool) throws {
        let aws = try #require(line["_aws"] as? [String: Any])
        let timestamp = try #require(aws["Timestamp"] as? Int)
        #expect(abs(Double(timestamp) / 1000 - Date().timeIntervalSince1970) < 3600, "Timestamp is in milliseconds")
        let directives = try #require(aws["CloudWatchMetrics"] as? [[String: Any]])
        #expect(directives.count == 1)
        let directive = try #require(directives.first)
        #expect(directive["Namespace"] as? String == namespace)
        #expect(directive["Dimensions"] as? [[String]] == [["Action"]])
        let metrics = try #require(directive["Metrics"] as? [[String: String]])
        var expected = [
            "RecordsProduced": "Count", "RecordsConsumed": "Count", "BytesProduced": "Bytes", "BytesConsumed": "Bytes",
            "Errors": "Count",
        ]
        if withLatency { expected["KafkaLatency"] = "Milliseconds" }
        #expect(Dictionary(uniqueKeysWithValues: metrics.compactMap { metric in
            metric["Name"].flatMap { name in metric["Unit"].map { (name, $0) } }
        }) == expected)
        for name in expected.keys {
            #expect(line[name] is NSNumber, "no value for \(name)")
        }
        if withLatency {
            let latency = try #require(line["KafkaLatency"] as? Double)
            #expect(latency >= 0)
        }
        #expect(line["Action"] is String, "the dimension needs a value")
    }

    @Test func noMetricLinesWhenOff() throws {
        let cluster = try LocalKafkaCluster(brokers: 1)
        let emulator = try emulator(cluster, [:])
        defer { emulator.stop() }
        let produced = try emulator.invoke(#"{"action":"produce","topic":"emf-off","records":[{"value":"x"}]}"#)
        #expect(produced.functionError == nil, "\(produced.text)")
        let invalid = try emulator.invoke(#"{"action":"nothing"}"#)
        #expect(invalid.functionError != nil)
        #expect(metricLines(emulator).isEmpty)
        #expect(!emulator.process.standardOutput.contains("_aws"))
    }

    @Test func producedRecordsCarryTheTraceIDWhenEnabled() throws {
        let cluster = try LocalKafkaCluster(brokers: 1)
        let emulator = try emulator(cluster, ["LAMBDA_KAFKA_TRACE_HEADER": "true"])
        defer { emulator.stop() }
        let produce = #"""
            {"action":"produce","topic":"traced","records":[
              {"key":"plain","value":"a"},
              {"key":"own","value":"b","headers":{"X-Amzn-Trace-Id":"Root=1-00000000-000000000000000000000000"}},
              {"key":"other","value":"c","headers":[{"key":"source","value":"web"}]}]}
            """#
        let produced = try emulator.invoke(produce, headers: ["X-Amzn-Trace-Id": Self.traceID])
        #expect(produced.functionError == nil, "\(produced.text)")

        let records = try consumeRecords(emulator, topic: "traced")
        #expect(records.count == 3)
        for record in records {
            let headers = record["headers"] as? [[String: String]] ?? []
            let traceHeaders = headers.filter { $0["key"] == "X-Amzn-Trace-Id" }.compactMap { $0["value"] }
            switch record["key"] as? String {
            case "own": #expect(traceHeaders == ["Root=1-00000000-000000000000000000000000"])
            case "other":
                #expect(traceHeaders == [Self.traceID])
                #expect(headers.contains { $0["key"] == "source" && $0["value"] == "web" })
            default: #expect(traceHeaders == [Self.traceID])
            }
        }
    }

    @Test func producedRecordsCarryNoTraceIDWhenDisabled() throws {
        let cluster = try LocalKafkaCluster(brokers: 1)
        let emulator = try emulator(cluster, ["LAMBDA_KAFKA_TRACE_HEADER": "false"])
        defer { emulator.stop() }
        let produced = try emulator.invoke(
            #"{"action":"produce","topic":"untraced","records":[{"value":"a"}]}"#, headers: ["X-Amzn-Trace-Id": Self.traceID])
        #expect(produced.functionError == nil, "\(produced.text)")
        let records = try consumeRecords(emulator, topic: "untraced")
        #expect(records.count == 1)
        #expect(records.allSatisfy { $0["headers"] == nil }, "\(records)")
    }

    @Test func librdkafkaLogLinesCarryTheRequestID() throws {
        // Nothing listens on port 1: librdkafka logs the refused connections while the invocation waits.
        let emulator = try EmulatorHarness(
            environment: ["KAFKA_ENDPOINT": "127.0.0.1:1", "AWS_LAMBDA_LOG_FORMAT": "JSON"],
            timeoutSeconds: 60)
        defer { emulator.stop() }
        let result = try emulator.invoke(#"{"action":"consume","topic":"nowhere","timeout_ms":2000}"#)
        let requestID = try #require(result.requestID)
        func librdkafkaLines() -> [[String: Any]] {
            emulator.standardError.split(separator: "\n").compactMap { line in
                guard line.hasPrefix("{") else { return nil }
                let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                return object?["librdkafka"] == nil ? nil : object
            }
        }
        emulator.waitForStandardError { _ in librdkafkaLines().contains { $0["requestId"] as? String == requestID } }
        let lines = librdkafkaLines().filter { $0["requestId"] as? String == requestID }
        #expect(!lines.isEmpty, "\(emulator.standardError.suffix(3000))")
        #expect(lines.contains { ($0["message"] as? String)?.contains("Connection refused") == true && $0["level"] as? String == "ERROR" })
    }

    func consumeRecords(_ emulator: EmulatorHarness, topic: String) throws -> [[String: Any]] {
        let consumed = try emulator.invoke(#"{"action":"consume","topic":"\#(topic)","timeout_ms":10000}"#)
        #expect(consumed.functionError == nil, "\(consumed.text)")
        return try consumed.jsonObject()["records"] as? [[String: Any]] ?? []
    }
}

/// Polls `condition` until it holds or 20 s passed (output arrives through pipes, a little later).
private func waitUntil(timeout: TimeInterval = 20, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        Thread.sleep(forTimeInterval: 0.02)
    }
    return condition()
}
