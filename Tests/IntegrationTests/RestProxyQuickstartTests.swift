import Foundation
import TestSupport
import Testing

/// Confluent's documented REST Proxy v2 quickstart, sent with curl exactly as the documentation
/// writes it (only `localhost:8082` becomes the local gateway's port), through
/// `lambda-emulator --api-gateway` and the real bootstrap, on both broker engines. Consumer
/// instances live in the state topic, so a second bootstrap process serves an instance the
/// first one created.
@Suite(.offCooperativePool, .serialized) struct RestProxyQuickstartTests {
    /// One broker and `processes` emulators, each running its own bootstrap with its own local gateway.
    final class Stack {
        let broker: any RunningBroker
        let emulators: [EmulatorHarness]
        let gatewayPorts: [Int]

        init(_ engine: BrokerEngine, processes: Int = 1, environment: [String: String] = [:]) throws {
            broker = try engine.start()
            var emulators: [EmulatorHarness] = []
            var ports: [Int] = []
            do {
                for _ in 0..<processes {
                    // The quickstart's groups are my_json_consumer and my_binary_consumer: the API prefix is set to match.
                    let emulator = try EmulatorHarness(
                        environment: ["KAFKA_ENDPOINT": broker.bootstrapServers, "LAMBDA_KAFKA_API_GROUP_PREFIX": "my_"]
                            .merging(environment) { _, new in new },
                        timeoutSeconds: 60, emulatorOptions: ["--api-gateway", "0"])
                    emulators.append(emulator)
                    ports.append(try HTTPResponseStreamingTests.gatewayPort(of: emulator))
                }
            } catch {
                for emulator in emulators { emulator.stop() }
                broker.stop()
                throw error
            }
            self.emulators = emulators
            gatewayPorts = ports
        }

        func stop() {
            for emulator in emulators { emulator.stop() }
            broker.stop()
        }

        /// The documentation's base URL, pointed at process `index`'s gateway.
        func url(_ index: Int = 0) -> String { "http://localhost:\(gatewayPorts[index])" }

        /// Makes the topic exist (API callers never create topics) with one record whose value is JSON.
        func createTopic(_ topic: String) throws {
            let result = try emulators[0].invoke(#"{"action":"produce","topic":"\#(topic)","num_partitions":1,"records":[{"value":{"seed":1}}]}"#)
            try #require(result.status == 200 && result.functionError == nil, "\(result.text)")
        }

        /// A direct consume of the whole topic: what Kafka stores, as the direct action renders it.
        func stored(_ topic: String) throws -> [[String: Any]] {
            let result = try emulators[0].invoke(#"{"action":"consume","topic":"\#(topic)","from":"beginning"}"#)
            try #require(result.status == 200 && result.functionError == nil, "\(result.text)")
            return try result.jsonObject().objects("records")
        }
    }

    struct CurlAnswer {
        var status: Int
        var contentType: String
        var body: String
        var json: Any? { try? JSONSerialization.jsonObject(with: Data(body.utf8)) }
        var object: [String: Any] { json as? [String: Any] ?? [:] }
        var array: [[String: Any]] { json as? [[String: Any]] ?? [] }
    }

    /// Runs curl with these arguments (a documented line), adding only what lets the test read the status.
    static func curl(_ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> CurlAnswer {
        let marker = "\n--curl-status--"
        let process = try ChildProcess(
            executable: "/usr/bin/curl", arguments: ["-s", "-S", "-w", "\(marker)%{http_code} %{content_type}"] + arguments)
        let code = try process.waitForExit(timeout: 60)
        try #require(code == 0, "curl failed: \(process.standardError)", sourceLocation: sourceLocation)
        let output = process.standardOutput
        let parts = output.components(separatedBy: marker)
        let trailer = (parts.last ?? "").split(separator: " ", maxSplits: 1).map(String.init)
        return CurlAnswer(
            status: Int(trailer.first ?? "") ?? 0, contentType: trailer.count > 1 ? trailer[1] : "",
            body: parts.dropLast().joined(separator: marker))
    }

    @Test(arguments: BrokerEngine.allCases) func theJSONQuickstartRunsAsDocumented(engine: BrokerEngine) throws {
        let stack = try Stack(engine)
        defer { stack.stop() }
        try stack.createTopic("jsontest")
        let u = stack.url()

        let produced = try Self.curl(
            "-X", "POST", "-H", "Content-Type: application/vnd.kafka.json.v2+json",
            "-d", #"{"records":[{"value":{"name": "testUser"}}]}"#, "\(u)/topics/jsontest")
        #expect(produced.status == 200, "\(produced.body)")
        #expect(produced.contentType == "application/vnd.kafka.v2+json")
        let offsets = produced.object.objects("offsets")
        #expect(offsets.count == 1)
        #expect(offsets.first?["error_code"] is NSNull && offsets.first?["error"] is NSNull)
        #expect(produced.object["key_schema_id"] is NSNull && produced.object["value_schema_id"] is NSNull)

        let created = try Self.curl(
            "-X", "POST", "-H", "Content-Type: application/vnd.kafka.v2+json", "-H", "Accept: application/vnd.kafka.v2+json",
            "-d", #"{"name": "my_consumer_instance", "format": "json", "auto.offset.reset": "earliest"}"#,
            "\(u)/consumers/my_json_consumer")
        #expect(created.status == 200, "\(created.body)")
        #expect(created.object.string("instance_id") == "my_consumer_instance")
        #expect(created.object.string("base_uri") == "\(u)/consumers/my_json_consumer/instances/my_consumer_instance")

        let subscribed = try Self.curl(
            "-X", "POST", "-H", "Content-Type: application/vnd.kafka.v2+json", "-d", #"{"topics":["jsontest"]}"#,
            "\(u)/consumers/my_json_consumer/instances/my_consumer_instance/subscription")
        #expect(subscribed.status == 204, "\(subscribed.body)")
        #expect(subscribed.body.isEmpty)

        let records = try Self.curl(
            "-X", "GET", "-H", "Accept: application/vnd.kafka.json.v2+json",
            "\(u)/consumers/my_json_consumer/instances/my_consumer_instance/records")
        #expect(records.status == 200, "\(records.body)")
        #expect(records.contentType == "application/vnd.kafka.json.v2+json")
        #expect(records.array.count == 2, "\(records.body)")
        // The seed record and the quickstart's (the mock cluster may put them in different partitions).
        let user = records.array.first { ($0["value"] as? [String: Any])?.string("name") != nil }
        #expect(user?.string("topic") == "jsontest")
        #expect(user?["key"] is NSNull)
        #expect((user?["value"] as? [String: Any])?.string("name") == "testUser")
        #expect(user?.int("partition") == offsets.first?.int("partition"))
        #expect(user?.int("offset") == offsets.first?.int("offset"))

        let deleted = try Self.curl(
            "-X", "DELETE", "-H", "Accept: application/vnd.kafka.v2+json",
            "\(u)/consumers/my_json_consumer/instances/my_consumer_instance")
        #expect(deleted.status == 204, "\(deleted.body)")
        let afterDelete = try Self.curl(
            "-X", "GET", "-H", "Accept: application/vnd.kafka.json.v2+json",
            "\(u)/consumers/my_json_consumer/instances/my_consumer_instance/records")
        #expect(afterDelete.status == 404)
        #expect(afterDelete.object.int("error_code") == 40403)

        // Kafka holds the value's JSON serialisation, as the REST proxy writes it.
        #expect(try stack.stored("jsontest").contains { ($0["value"] as? [String: Any])?.string("name") == "testUser" })
    }

    @Test(arguments: BrokerEngine.allCases) func theBinaryQuickstartRunsAsDocumented(engine: BrokerEngine) throws {
        let stack = try Stack(engine)
        defer { stack.stop() }
        try stack.createTopic("binarytest")
        let u = stack.url()

        let produced = try Self.curl(
            "-X", "POST", "-H", "Content-Type: application/vnd.kafka.binary.v2+json", "-H", "Accept: application/vnd.kafka.v2+json",
            "--data", #"{"records":[{"value":"S2Fma2E="}]}"#, "\(u)/topics/binarytest")
        #expect(produced.status == 200, "\(produced.body)")
        #expect(produced.object.objects("offsets").first?["error_code"] is NSNull)

        let created = try Self.curl(
            "-X", "POST", "-H", "Content-Type: application/vnd.kafka.v2+json",
            "--data", #"{"name": "my_consumer_instance", "format": "binary", "auto.offset.reset": "earliest"}"#,
            "\(u)/consumers/my_binary_consumer")
        #expect(created.status == 200, "\(created.body)")
        #expect(created.object.string("base_uri") == "\(u)/consumers/my_binary_consumer/instances/my_consumer_instance")

        let subscribed = try Self.curl(
            "-X", "POST", "-H", "Content-Type: application/vnd.kafka.v2+json", "--data", #"{"topics":["binarytest"]}"#,
            "\(u)/consumers/my_binary_consumer/instances/my_consumer_instance/subscription")
        #expect(subscribed.status == 204, "\(subscribed.body)")

        // The JSON format's Accept is not this instance's format: the proxy's 40601.
        let mismatch = try Self.curl(
            "-X", "GET", "-H", "Accept: application/vnd.kafka.json.v2+json",
            "\(u)/consumers/my_binary_consumer/instances/my_consumer_instance/records")
        #expect(mismatch.status == 406)
        #expect(mismatch.object.int("error_code") == 40601)

        let records = try Self.curl(
            "-X", "GET", "-H", "Accept: application/vnd.kafka.binary.v2+json",
            "\(u)/consumers/my_binary_consumer/instances/my_consumer_instance/records")
        #expect(records.status == 200, "\(records.body)")
        #expect(records.contentType == "application/vnd.kafka.binary.v2+json")
        #expect(Set(records.array.compactMap { $0.string("value") }) == [Data(#"{"seed":1}"#.utf8).base64EncodedString(), "S2Fma2E="])

        let deleted = try Self.curl(
            "-X", "DELETE", "-H", "Content-Type: application/vnd.kafka.v2+json",
            "\(u)/consumers/my_binary_consumer/instances/my_consumer_instance")
        #expect(deleted.status == 204, "\(deleted.body)")

        // Kafka holds the decoded bytes.
        #expect(try stack.stored("binarytest").contains { $0.string("value") == "Kafka" })
    }
}
