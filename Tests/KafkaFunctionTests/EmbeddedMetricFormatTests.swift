@testable import APIGatewayFrontEnd
@testable import DirectFrontEnd
@testable import EventSourceFrontEnd
import Foundation
@testable import FunctionCore
import FunctionMetrics
@testable import JSON
@testable import KafkaFunction
import Testing
@testable import WebSocketFrontEnd

@Suite struct EmbeddedMetricFormatTests {
    @Test func writesTheExactLine() throws {
        var metrics = InvocationMetrics()
        metrics.action = "produce"
        metrics.topic = "orders"
        metrics.recordsProduced = 3
        metrics.bytesProduced = 120
        metrics.kafkaLatency = .microseconds(12_345)
        let line = EmbeddedMetricFormat(namespace: "SwiftLambdaKafka")
            .line(metrics, timestampMilliseconds: 1_763_726_400_123, requestID: "req-1", traceID: nil)
        #expect(String(decoding: line, as: UTF8.self) == #"""
            {"_aws":{"Timestamp":1763726400123,"CloudWatchMetrics":[{"Namespace":"SwiftLambdaKafka","Dimensions":[["Action"]],"Metrics":[{"Name":"RecordsProduced","Unit":"Count"},{"Name":"RecordsConsumed","Unit":"Count"},{"Name":"BytesProduced","Unit":"Bytes"},{"Name":"BytesConsumed","Unit":"Bytes"},{"Name":"KafkaLatency","Unit":"Milliseconds"},{"Name":"Errors","Unit":"Count"}]}]},"Action":"produce","RecordsProduced":3,"RecordsConsumed":0,"BytesProduced":120,"BytesConsumed":0,"KafkaLatency":12.345,"Errors":0,"Topic":"orders","RequestId":"req-1"}
            """#)
    }

    @Test func anErrorCountsOnceAndNamesItsTypeWithoutLatencyWhenKafkaWasNotContacted() throws {
        var metrics = InvocationMetrics()
        metrics.errorType = "Function.InvalidEvent"
        let line = EmbeddedMetricFormat(namespace: "N")
            .line(metrics, timestampMilliseconds: 1, requestID: "r", traceID: "Root=1-a-b")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
        #expect(object["Errors"] as? Int == 1)
        #expect(object["ErrorType"] as? String == "Function.InvalidEvent")
        #expect(object["Action"] as? String == "none")
        #expect(object["KafkaLatency"] == nil)
        #expect(object["TraceId"] as? String == "Root=1-a-b")
        #expect(!String(decoding: line, as: UTF8.self).contains("KafkaLatency"))
    }

    @Test func latencyKeepsMicrosecondsAsThreeDecimals() throws {
        var metrics = InvocationMetrics()
        for (duration, text) in [(Duration.microseconds(5), "0.005"), (.milliseconds(7), "7.000"), (.microseconds(1_000_999), "1000.999")] {
            metrics.kafkaLatency = duration
            let line = String(decoding: EmbeddedMetricFormat(namespace: "N").line(metrics, timestampMilliseconds: 0, requestID: "r", traceID: nil), as: UTF8.self)
            #expect(line.contains("\"KafkaLatency\":\(text),"), "\(line)")
        }
    }

    @Test func namespacesFollowCloudWatchRules() {
        for valid in ["SwiftLambdaKafka", "Team/Kafka Metrics", "a", "x:y#z-1_2.3", String(repeating: "n", count: 255)] {
            #expect(EmbeddedMetricFormat.isValidNamespace(valid), "\(valid)")
        }
        for invalid in ["", "   ", "AWS/Kafka", "caf\u{E9}", "a\nb", "a\"b", String(repeating: "n", count: 256)] {
            #expect(!EmbeddedMetricFormat.isValidNamespace(invalid), "\(invalid)")
        }
    }

    @Test func settingsAreOffByDefaultAndRejectUnknownValues() throws {
        let defaults = try FunctionSettings(environment: [:])
        #expect(defaults.metrics == nil)
        #expect(defaults.traceHeader == false)
        #expect(defaults.safetyMargin == .milliseconds(500))

        let on = try FunctionSettings(environment: ["LAMBDA_KAFKA_METRICS": "EMF", "LAMBDA_KAFKA_TRACE_HEADER": "true"])
        #expect(on.metrics?.namespace == "SwiftLambdaKafka")
        #expect(on.traceHeader)

        for environment in [
            ["LAMBDA_KAFKA_METRICS": "prometheus"],
            ["LAMBDA_KAFKA_METRICS": "emf", "LAMBDA_KAFKA_METRICS_NAMESPACE": "AWS/Lambda"],
            ["LAMBDA_KAFKA_TRACE_HEADER": "yes"],
            ["LAMBDA_KAFKA_SAFETY_MARGIN_MS": "-1"],
        ] {
            #expect(throws: FunctionError.self, "\(environment)") { try FunctionSettings(environment: environment) }
            do {
                _ = try FunctionSettings(environment: environment)
            } catch {
                #expect(error.kind == .invalidConfiguration)
                #expect(error.errorMessage.hasPrefix(environment.keys.sorted().last ?? ""), "\(error.errorMessage)")
            }
        }
    }
}
