import Foundation
import TestSupport
import Testing

/// Response streaming through the real emulator and bootstrap: the runtime posts a chunked
/// response (`Lambda-Runtime-Function-Response-Mode: streaming`), the emulator's streaming Invoke
/// route passes the chunks on, and an error after the first byte arrives in the trailers.
@Suite(.offCooperativePool, .serialized) struct ResponseStreamingTests {
    @Test func chunksReachTheCallerBeforeTheFunctionEnds() throws {
        let emulator = try diagnosticEmulator()
        defer { emulator.stop() }
        let client = try StreamingInvokeClient(
            port: emulator.port, event: #"{"action":"diagnostic.stream","chunks":3,"bytes":100,"ms":1500}"#)
        let (status, headers) = try client.readHead()
        #expect(status == 200)
        #expect(headers["content-type"] == "text/plain")
        let requestID = try #require(headers["x-amzn-requestid"])
        let first = try #require(try client.readChunk())
        #expect(String(decoding: first, as: UTF8.self).hasPrefix("chunk-0:"))
        // The function is still sleeping before its second chunk: its invocation has not ended.
        #expect(!emulator.standardError.contains("END RequestId: \(requestID)"))
        var rest = Data()
        while let chunk = try client.readChunk() { rest.append(contentsOf: chunk) }
        #expect(try client.readTrailers().isEmpty)
        let lines = String(decoding: rest, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines.first?.hasPrefix("chunk-1:") == true)
        #expect(lines.last == "end")
    }

    @Test func anErrorMidStreamArrivesInTheTrailersAndTheRuntimeGoesOn() throws {
        let emulator = try diagnosticEmulator()
        defer { emulator.stop() }
        let pid = try emulator.bootstrapPID()
        let client = try StreamingInvokeClient(
            port: emulator.port,
            event: #"{"action":"diagnostic.stream","chunks":2,"bytes":4096,"errorType":"Function.BrokerGone","errorMessage":"lost partition 3"}"#)
        let answer = try client.readAll()
        #expect(answer.status == 200)
        #expect(answer.body.count == 2 * 4096)
        #expect(answer.trailers["lambda-runtime-function-error-type"] == "Function.BrokerGone")
        let encoded = try #require(answer.trailers["lambda-runtime-function-error-body"])
        let body = try #require(Data(base64Encoded: encoded))
        let error = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
        #expect(error["errorType"] as? String == "Function.BrokerGone")
        #expect(error["errorMessage"] as? String == "lost partition 3")

        // The same runtime serves the next invocation, streamed or not.
        let (result, context) = try emulator.invocationContext()
        #expect(context["requestId"] as? String == result.requestID)
        #expect(try emulator.bootstrapPID() == pid)
    }

    @Test func theBufferedRouteGetsAStreamedAnswerWhole() throws {
        let emulator = try diagnosticEmulator()
        defer { emulator.stop() }
        let result = try emulator.invoke(#"{"action":"diagnostic.stream","chunks":4,"bytes":1000}"#)
        #expect(result.status == 200)
        #expect(result.functionError == nil)
        #expect(result.body.count == 4 * 1000 + 4)
        let failed = try emulator.invoke(#"{"action":"diagnostic.stream","chunks":1,"errorType":"Function.Late"}"#)
        #expect(failed.functionError == "Unhandled")
        #expect(try failed.jsonObject()["errorType"] as? String == "Function.Late")
    }

    @Test func aStreamedConsumeReturnsTwentyMegabytesCompletely() throws {
        let cluster = try LocalKafkaCluster(brokers: 1)
        defer {
            cluster.process.closeStandardInput()
            cluster.process.stop()
        }
        let emulator = try EmulatorHarness(environment: ["KAFKA_ENDPOINT": cluster.bootstrapServers], timeoutSeconds: 120)
        defer { emulator.stop() }
        // The mock broker keeps about 5 MB per partition: 8 partitions of 2.5 MB each.
        let topic = "stream-\(UUID().uuidString.prefix(8).lowercased())"
        try cluster.command("create-topic \(topic) 8 1")
        let valueBytes = 100 * 1024
        let perInvocation = 25
        let invocations = 8
        // Values are text, so they come back as JSON strings: "<invocation>-<record>-" then letters.
        func value(_ invocation: Int, _ record: Int) -> String {
            let prefix = "\(invocation)-\(record)-"
            return prefix + String(repeating: "abcdefghij", count: valueBytes / 10).prefix(valueBytes - prefix.count)
        }
        for invocation in 0..<invocations {
            let records = (0..<perInvocation).map { #"{"value":"\#(value(invocation, $0))","partition":\#(invocation)}"# }
            let result = try emulator.invoke(#"{"action":"produce","topic":"\#(topic)","records":[\#(records.joined(separator: ","))]}"#)
            try #require(result.functionError == nil, "\(result.text.prefix(500))")
        }
        let total = invocations * perInvocation

        let client = try StreamingInvokeClient(
            port: emulator.port,
            event: #"{"action":"consume","topic":"\#(topic)","stream":true,"max_records":100000,"timeout_ms":60000}"#)
        let answer = try client.readAll()
        #expect(answer.status == 200)
        #expect(answer.headers["content-type"] == "application/x-ndjson")
        #expect(answer.trailers.isEmpty, "\(answer.trailers)")
        #expect(answer.body.count > 20_000_000)
        #expect(answer.chunkCount > 1)
        let lines = answer.body.split(separator: UInt8(ascii: "\n"))
        try #require(lines.count == total + 1)
        var seen = Set<String>()
        for line in lines.dropLast() {
            let record = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
            let text = try #require(record["value"] as? String)
            let fields = text.split(separator: "-", maxSplits: 2)
            let invocation = try #require(Int(fields[0]))
            let index = try #require(Int(fields[1]))
            #expect(text == value(invocation, index))
            seen.insert("\(invocation)-\(index)")
        }
        #expect(seen.count == total)
        let summary = try #require(try JSONSerialization.jsonObject(with: lines.last.map { Data($0) } ?? Data()) as? [String: Any])
        #expect(summary["action"] as? String == "consume")
        #expect(summary["count"] as? Int == total)
        #expect(summary["end_of_partitions"] as? Bool == true)
    }
}
