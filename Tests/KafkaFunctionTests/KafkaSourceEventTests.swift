@testable import APIGatewayFrontEnd
@testable import DirectFrontEnd
@testable import EventSourceFrontEnd
@testable import FunctionCore
@testable import JSON
@testable import KafkaFunction
@testable import WebSocketFrontEnd
import PostgresSink
import Testing

@Suite struct KafkaSourceEventTests {
    private func decode(_ text: String) throws(FunctionError) -> KafkaSourceEvent {
        let document: JSONValue
        do {
            document = try JSONParser.parse(Array(text.utf8))
        } catch {
            throw .invalidEvent("test input is not JSON")
        }
        return try KafkaSourceEvent.decode(document)
    }

    /// The template allows batches of 10,000 records: more JSON values than `JSONParser.maximumValues`,
    /// which only bounds trees (the records object is read from the bytes, not built).
    @Test func aTenThousandRecordBatchIsScannedAndDecoded() throws {
        var partitions: [String] = []
        for partition in 0..<4 {
            var records: [String] = []
            for offset in 0..<2_500 {
                records.append(#"{"topic":"orders","partition":\#(partition),"offset":\#(offset),"timestamp":1000,"#
                    + #""timestampType":"CREATE_TIME","key":"azE=","value":"eyJhIjoxfQ==","headers":[{"source":[98,101,110,99,104]}]}"#)
            }
            partitions.append(#""orders-\#(partition)":["# + records.joined(separator: ",") + "]")
        }
        let event = #"{"eventSource":"aws:kafka","eventSourceArn":"arn:aws:kafka:us-east-1:1:cluster/c/u","records":{"#
            + partitions.joined(separator: ",") + "}}"
        let scanned = try EventJSON.scan(Array(event.utf8))
        #expect(try KafkaSourceEvent.decode(scanned, bytes: Array(event.utf8)).records.count == 10_000)
        // A document of nothing but values still meets a cap proportional to its size.
        let hostile = Array(("[" + String(repeating: "[],", count: 1_000_000) + "[]]").utf8)
        #expect(throws: FunctionError.self) { _ = try EventJSON.scan(hostile) }
    }

    @Test func decodesBothEventSourceKinds() throws {
        let msk = try decode(#"""
            {"eventSource":"aws:kafka","eventSourceArn":"arn:aws:kafka:us-east-1:1:cluster/c/u","bootstrapServers":"b:9098",
             "records":{"orders-1":[{"topic":"orders","partition":1,"offset":7,"timestamp":1000,"timestampType":"CREATE_TIME",
               "key":"azE=","value":"eyJhIjoxfQ==","headers":[{"h":[104,105]},{"b":[-1,0]}]}]}}
            """#)
        #expect(msk.source == .msk)
        let record = try #require(msk.records.first)
        #expect(record.topic == "orders" && record.partition == 1 && record.offset == 7)
        #expect(record.key == Array("k1".utf8))
        #expect(record.value == .json(Array(#"{"a":1}"#.utf8)))
        #expect(record.timestampMilliseconds == 1000)
        #expect(String(decoding: record.headersJSON, as: UTF8.self)
                == #"[{"key":"h","value":"hi"},{"key":"b","value_base64":"/wA="}]"#)
        let selfManaged = try decode(#"""
            {"eventSource":"SelfManagedKafka","records":{"t-0":[{"topic":"t","partition":0,"offset":1,"timestamp":-1,
              "timestampType":"NO_TIMESTAMP_TYPE","headers":[]}]}}
            """#)
        #expect(selfManaged.source == .selfManaged)
        #expect(selfManaged.records.first?.value == .tombstone)
        #expect(selfManaged.records.first?.key == nil)
        #expect(selfManaged.records.first?.timestampMilliseconds == nil)
        #expect(selfManaged.records.first?.timestampType == nil)
    }

    @Test func rejectsWhatTheEventSourceNeverSends() {
        let cases: [(String, String)] = [
            (#"{"eventSource":"aws:kafka","records":{}}"#, "eventSourceArn"),
            (#"{"eventSource":"SelfManagedKafka","records":[]}"#, "'records' must be an object"),
            (#"{"eventSource":"SelfManagedKafka","records":{},"extra":1}"#, "Unknown field 'extra'"),
            (#"{"eventSource":"SelfManagedKafka","records":{"t-0":[{"topic":"t","partition":0}]}}"#, "records.t-0[0].offset"),
            (#"{"eventSource":"SelfManagedKafka","records":{"t-0":[{"topic":"t","partition":0,"offset":1,"timestampType":"NOW"}]}}"#,
             "records.t-0[0].timestampType"),
            (#"{"eventSource":"SelfManagedKafka","records":{"t-0":[{"topic":"t","partition":0,"offset":1,"key":"a"}]}}"#,
             "records.t-0[0].key"),
            (#"{"eventSource":"SelfManagedKafka","records":{"t-0":[{"topic":"t","partition":0,"offset":1,"headers":[{"a":[1],"b":[2]}]}]}}"#,
             "records.t-0[0].headers[0]"),
            (#"{"eventSource":"SelfManagedKafka","records":{"t-0":[{"topic":"../x","partition":0,"offset":1}]}}"#,
             "records.t-0[0].topic"),
        ]
        for (text, expected) in cases {
            do {
                _ = try decode(text)
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.kind == .invalidEvent)
                #expect(error.errorMessage.contains(expected), "\(error.errorMessage)")
            }
        }
    }

    @Test func valuesGoToJSONOnlyWhenPostgreSQLTakesThemAsJSON() {
        #expect(SinkValueClassifier.classify(Array(#" {"a":[1,"x"]}"#.utf8)) == .json(Array(#" {"a":[1,"x"]}"#.utf8)))
        #expect(SinkValueClassifier.classify(Array(#""text""#.utf8)) == .json(Array(#""text""#.utf8)))
        for bytes in [Array("42".utf8), Array("true".utf8), Array(#"{"a":"\u0000"}"#.utf8), Array("{bad".utf8), [0xFF, 0x7B], []] {
            #expect(SinkValueClassifier.classify(bytes) == .bytes(bytes))
        }
    }
}
