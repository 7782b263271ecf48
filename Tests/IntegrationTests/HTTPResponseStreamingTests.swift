import Foundation
import TestSupport
import Testing

/// `GET /topics/{topic}/records?stream=true` through the real emulator, bootstrap and a broker: the
/// function answers in the streamed HTTP integration format (JSON prelude, eight NUL bytes, then
/// JSON Lines), and the emulator's local gateway turns that into a chunked HTTP response.
@Suite(.offCooperativePool, .serialized) struct HTTPResponseStreamingTests {
    static let corsOrigin = "https://app.example.com"
    static let integrationType = "application/vnd.awslambda.http-integration-response"

    /// A mock cluster and an emulator with its local gateway, running the real bootstrap.
    final class Stack {
        let cluster: LocalKafkaCluster
        let emulator: EmulatorHarness
        let gatewayPort: Int

        init() throws {
            cluster = try LocalKafkaCluster(brokers: 1)
            do {
                emulator = try EmulatorHarness(
                    environment: ["KAFKA_ENDPOINT": cluster.bootstrapServers, "CORS_ALLOW_ORIGIN": HTTPResponseStreamingTests.corsOrigin],
                    timeoutSeconds: 120, emulatorOptions: ["--api-gateway", "0"])
            } catch {
                cluster.process.stop()
                throw error
            }
            gatewayPort = try HTTPResponseStreamingTests.gatewayPort(of: emulator)
        }

        func stop() {
            emulator.stop()
            cluster.process.closeStandardInput()
            cluster.process.stop()
        }
    }

    /// The local gateway's port, from its line "api gateway: http://127.0.0.1:PORT/ (WebSocket ...)".
    static func gatewayPort(of emulator: EmulatorHarness) throws -> Int {
        let line = try emulator.process.waitForLine { $0.hasPrefix("api gateway: http://") }
        let address = line.split(separator: " ")[2].split(separator: "/")[1]
        return try #require(Int(address.split(separator: ":").last ?? ""))
    }

    /// The records' values: "<partition>-<index>-" then letters, `valueBytes` long.
    static func value(_ partition: Int, _ index: Int, valueBytes: Int) -> String {
        let prefix = "\(partition)-\(index)-"
        return prefix + String(repeating: "abcdefghij", count: valueBytes / 10 + 1).prefix(valueBytes - prefix.count)
    }

    /// Creates a topic of `partitions` partitions and produces `perPartition` records of `valueBytes` to each, with direct events.
    static func fill(_ stack: Stack, partitions: Int, perPartition: Int, valueBytes: Int) throws -> String {
        let topic = "httpstream-\(UUID().uuidString.prefix(8).lowercased())"
        try stack.cluster.command("create-topic \(topic) \(partitions) 1")
        for partition in 0..<partitions {
            let records = (0..<perPartition).map {
                #"{"value":"\#(value(partition, $0, valueBytes: valueBytes))","partition":\#(partition)}"#
            }
            let result = try stack.emulator.invoke(#"{"action":"produce","topic":"\#(topic)","records":[\#(records.joined(separator: ","))]}"#)
            try #require(result.functionError == nil, "\(result.text.prefix(500))")
        }
        return topic
    }

    static func restEvent(_ path: String, query: [String: String]) throws -> String {
        let text = try APIGatewayEndToEndTests.restAPIEvent("GET", path, contentType: nil, body: nil)
        var event = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        event["queryStringParameters"] = query
        event["multiValueQueryStringParameters"] = query.mapValues { [$0] }
        return try serialize(event)
    }

    /// Splits a streamed integration answer into its prelude and its body.
    static func splitPrelude(_ stream: Data, sourceLocation: SourceLocation = #_sourceLocation) throws -> (prelude: [String: Any], body: Data) {
        let delimiter = try #require(stream.range(of: Data(count: 8)), "no eight NUL bytes in the stream", sourceLocation: sourceLocation)
        let prelude = try #require(
            try JSONSerialization.jsonObject(with: stream[..<delimiter.lowerBound]) as? [String: Any], sourceLocation: sourceLocation)
        return (prelude, Data(stream[delimiter.upperBound...]))
    }

    /// Requires JSON Lines holding every record produced by `fill`, then the summary line.
    static func expectAllRecords(
        _ body: Data, partitions: Int, perPartition: Int, valueBytes: Int, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let lines = body.split(separator: UInt8(ascii: "\n"))
        try #require(lines.count == partitions * perPartition + 1, "\(lines.count) lines", sourceLocation: sourceLocation)
        var seen = Set<String>()
        for line in lines.dropLast() {
            let record = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any], sourceLocation: sourceLocation)
            let text = try #require(record["value"] as? String, sourceLocation: sourceLocation)
            let fields = text.split(separator: "-", maxSplits: 2)
            let partition = try #require(Int(fields[0]), sourceLocation: sourceLocation)
            let index = try #require(Int(fields[1]), sourceLocation: sourceLocation)
            #expect(text == value(partition, index, valueBytes: valueBytes), sourceLocation: sourceLocation)
            #expect(record["partition"] as? Int == partition, sourceLocation: sourceLocation)
            seen.insert("\(partition)-\(index)")
        }
        #expect(seen.count == partitions * perPartition, sourceLocation: sourceLocation)
        let summary = try #require(
            try JSONSerialization.jsonObject(with: lines.last ?? Data()) as? [String: Any], sourceLocation: sourceLocation)
        #expect(summary["action"] as? String == "consume", sourceLocation: sourceLocation)
        #expect(summary["count"] as? Int == partitions * perPartition, sourceLocation: sourceLocation)
        #expect(summary["end_of_partitions"] as? Bool == true, sourceLocation: sourceLocation)
    }

    /// Requires the prelude of a 200 JSON Lines answer with the function's CORS headers.
    static func expectStreamPrelude(_ prelude: [String: Any], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(prelude["statusCode"] as? Int == 200, sourceLocation: sourceLocation)
        let headers = prelude["headers"] as? [String: String] ?? [:]
        #expect(headers["Content-Type"] == "application/x-ndjson", sourceLocation: sourceLocation)
        #expect(headers["Access-Control-Allow-Origin"] == corsOrigin, sourceLocation: sourceLocation)
        #expect(headers["Vary"] == "Origin", sourceLocation: sourceLocation)
        #expect((prelude["cookies"] as? [Any])?.isEmpty == true, sourceLocation: sourceLocation)
    }

    @Test func eightMegabytesStreamedToHTTPAPIAndRESTEventsAndThroughTheGateway() throws {
        let stack = try Stack()
        defer { stack.stop() }
        // 8 MB: 8 partitions of 10 records of 100 KiB (the mock broker keeps about 5 MB per partition).
        let partitions = 8, perPartition = 10, valueBytes = 100 * 1024
        let topic = try Self.fill(stack, partitions: partitions, perPartition: perPartition, valueBytes: valueBytes)
        let query = ["stream": "true", "max_records": "100000", "timeout_ms": "60000"]
        let path = "/topics/\(topic)/records"

        for event in [try APIGatewayEndToEndTests.httpAPIEvent("GET", path, query: query), try Self.restEvent(path, query: query)] {
            let answer = try StreamingInvokeClient(port: stack.emulator.port, event: event).readAll()
            #expect(answer.status == 200)
            #expect(answer.headers["content-type"] == Self.integrationType)
            #expect(answer.trailers.isEmpty, "\(answer.trailers)")
            #expect(answer.chunkCount > 1)
            #expect(answer.body.count > 8_000_000)  // past the 6 MB of a buffered answer
            let (prelude, body) = try Self.splitPrelude(answer.body)
            Self.expectStreamPrelude(prelude)
            try Self.expectAllRecords(body, partitions: partitions, perPartition: perPartition, valueBytes: valueBytes)
        }

        let request = "GET \(path)?stream=true&max_records=100000&timeout_ms=60000 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        let answer = try StreamingInvokeClient(port: stack.gatewayPort, request: request).readAll()
        #expect(answer.status == 200)
        #expect(answer.headers["transfer-encoding"] == "chunked")
        #expect(answer.headers["content-type"] == "application/x-ndjson")
        #expect(answer.headers["access-control-allow-origin"] == Self.corsOrigin)
        #expect(answer.chunkCount > 1)
        try Self.expectAllRecords(answer.body, partitions: partitions, perPartition: perPartition, valueBytes: valueBytes)
    }

    @Test func errorsBeforeTheFirstByteAreBufferedProblemsAndStreamFalseIsBuffered() throws {
        let stack = try Stack()
        defer { stack.stop() }
        let topic = try Self.fill(stack, partitions: 1, perPartition: 3, valueBytes: 20)

        /// The function's proxy answer to `event` on the streaming route: buffered, not a stream.
        func bufferedAnswer(_ event: String) throws -> (status: Int, headers: [String: String], body: [String: Any]) {
            let answer = try StreamingInvokeClient(port: stack.emulator.port, event: event).readAll()
            #expect(answer.status == 200)
            #expect(answer.headers["content-type"] != Self.integrationType)
            let proxy = try #require(try JSONSerialization.jsonObject(with: answer.body) as? [String: Any], "\(answer.text.prefix(300))")
            let headers = proxy["headers"] as? [String: String] ?? [:]
            let body = try JSONSerialization.jsonObject(with: Data((proxy["body"] as? String ?? "").utf8)) as? [String: Any]
            return (proxy["statusCode"] as? Int ?? 0, headers, body ?? [:])
        }

        for event in [
            try APIGatewayEndToEndTests.httpAPIEvent("GET", "/topics/no-such-topic/records", query: ["stream": "true"]),
            try Self.restEvent("/topics/no-such-topic/records", query: ["stream": "true"]),
        ] {
            let missing = try bufferedAnswer(event)
            #expect(missing.status == 404)
            #expect(missing.body["error_code"] as? Int == 40401)
            #expect(missing.headers["Access-Control-Allow-Origin"] == Self.corsOrigin)
        }

        for value in ["yes", "1", "TRUE", ""] {
            let bad = try bufferedAnswer(try APIGatewayEndToEndTests.httpAPIEvent("GET", "/topics/\(topic)/records", query: ["stream": value]))
            #expect(bad.status == 400, "stream=\(value)")
            #expect((bad.body["message"] as? String)?.contains("'stream'") == true, "\(bad.body)")
        }

        let plain = try bufferedAnswer(try APIGatewayEndToEndTests.httpAPIEvent("GET", "/topics/\(topic)/records", query: ["stream": "false"]))
        #expect(plain.status == 200)
        #expect(plain.headers["Content-Type"] == "application/json")
        #expect((plain.body["records"] as? [Any])?.count == 3)

        // The gateway answers a problem the function returned before streaming as it is, with a length.
        let request = "GET /topics/no-such-topic/records?stream=true HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        let answer = try StreamingInvokeClient(port: stack.gatewayPort, request: request).readAll()
        #expect(answer.status == 404)
        #expect(answer.headers["content-length"] == String(answer.body.count))
        #expect(answer.text.contains("40401"))

        // The direct streamed consume opens its stream with the first chunk too: a missing topic is a function error.
        let direct = try StreamingInvokeClient(
            port: stack.emulator.port, event: #"{"action":"consume","topic":"no-such-topic","stream":true}"#).readAll()
        #expect(direct.headers["x-amz-function-error"] == "Unhandled")
        #expect(direct.trailers.isEmpty)
        let error = try #require(try JSONSerialization.jsonObject(with: direct.body) as? [String: Any], "\(direct.text.prefix(300))")
        #expect(error["errorType"] as? String == "Function.TopicNotFound")

        // A small read fits in the stream's last chunk: still a stream, prelude first.
        let small = try StreamingInvokeClient(
            port: stack.emulator.port,
            event: try APIGatewayEndToEndTests.httpAPIEvent("GET", "/topics/\(topic)/records", query: ["stream": "true"])).readAll()
        #expect(small.headers["content-type"] == Self.integrationType)
        let (prelude, body) = try Self.splitPrelude(small.body)
        Self.expectStreamPrelude(prelude)
        try Self.expectAllRecords(body, partitions: 1, perPartition: 3, valueBytes: 20)
    }

    /// The gateway's side of the format, with the diagnostic bootstrap's `GET /diagnostic/http-stream`:
    /// a prelude split over two chunks, cookies, an error after the first byte, a malformed prelude.
    @Test func theGatewayReadsThePreludeAndClosesTheConnectionOnAnErrorAfterTheFirstByte() throws {
        let emulator = try EmulatorHarness(
            bootstrap: diagnosticBootstrap, environment: ["KAFKA_ENDPOINT": "127.0.0.1:9"], emulatorOptions: ["--api-gateway", "0"])
        defer { emulator.stop() }
        let port = try Self.gatewayPort(of: emulator)
        func get(_ query: String) throws -> StreamingInvokeClient {
            try StreamingInvokeClient(
                port: port, request: "GET /diagnostic/http-stream?\(query) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        }

        let whole = try get("chunks=3").readAll()
        #expect(whole.status == 201)
        #expect(whole.headers["x-probe"] == "yes")
        #expect(whole.headers["set-cookie"] == "probe=1")
        #expect(whole.headers["content-type"] == "text/plain")
        #expect(whole.headers["transfer-encoding"] == "chunked")
        #expect(whole.text == "line-0\nline-1\nline-2\nend\n")

        // After the first byte an error closes the connection before the chunked body's end.
        let failing = try get("chunks=2&errorType=Function.Probe")
        #expect(try failing.readHead().status == 201)
        var received: [UInt8] = []
        #expect(throws: EmulatorHarnessError.self) {
            while let chunk = try failing.readChunk() { received += chunk }
        }
        #expect(String(decoding: received, as: UTF8.self) == "line-0\nline-1\n")
        #expect(emulator.waitForStandardError { $0.contains("function error (Function.Probe) after the first byte") })

        let malformed = try get("prelude=bad").readAll()
        #expect(malformed.status == 502)
    }
}
