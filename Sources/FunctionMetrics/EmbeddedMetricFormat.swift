import JSON

/// Formats CloudWatch Embedded Metric Format lines: a JSON object whose `_aws` member tells
/// CloudWatch Logs which of its other members are metrics
/// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
///
/// Only counts, sizes, durations, the action, topic, error type and request and trace ids are
/// written: never event content or configuration.
package struct EmbeddedMetricFormat {
    package static let defaultNamespace = "SwiftLambdaKafka"
    package static let dimensionName = "Action"

    package let namespace: String

    package init(namespace: String) {
        self.namespace = namespace
    }

    /// CloudWatch's namespace rules: 1 to 255 of `[A-Za-z0-9.-_/#: ]`, some non-space, not `AWS/...`.
    package static func isValidNamespace(_ namespace: String) -> Bool {
        let bytes = namespace.utf8
        guard (1...255).contains(bytes.count), !namespace.hasPrefix("AWS/"),
              bytes.contains(where: { $0 != UInt8(ascii: " ") }) else { return false }
        return bytes.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"),
                 UInt8(ascii: "/"), UInt8(ascii: "#"), UInt8(ascii: ":"), UInt8(ascii: " "):
                true
            default:
                false
            }
        }
    }

    /// One line, without the newline.
    package func line(_ metrics: InvocationMetrics, timestampMilliseconds: Int64, requestID: String, traceID: String?) -> [UInt8] {
        var values: [(name: String, unit: String, value: JSONValue)] = [
            ("RecordsProduced", "Count", .integer(metrics.recordsProduced)),
            ("RecordsConsumed", "Count", .integer(metrics.recordsConsumed)),
            ("BytesProduced", "Bytes", .integer(metrics.bytesProduced)),
            ("BytesConsumed", "Bytes", .integer(metrics.bytesConsumed)),
        ]
        if let latency = metrics.kafkaLatency {
            values.append(("KafkaLatency", "Milliseconds", .number(Self.milliseconds(latency))))
        }
        values.append(("Errors", "Count", .integer(metrics.errorType == nil ? 0 : 1)))

        let directive: JSONValue = .object([
            ("Namespace", .string(namespace)),
            ("Dimensions", .array([.array([.string(Self.dimensionName)])])),
            ("Metrics", .array(values.map { .object([("Name", .string($0.name)), ("Unit", .string($0.unit))]) })),
        ])
        var members: [(key: String, value: JSONValue)] = [
            ("_aws", .object([
                ("Timestamp", .integer(timestampMilliseconds)),
                ("CloudWatchMetrics", .array([directive])),
            ])),
            (Self.dimensionName, .string(metrics.action)),
        ]
        members += values.map { ($0.name, $0.value) }
        if let errorType = metrics.errorType { members.append(("ErrorType", .string(errorType))) }
        if let topic = metrics.topic { members.append(("Topic", .string(topic))) }
        members.append(("RequestId", .string(requestID)))
        if let traceID { members.append(("TraceId", .string(traceID))) }
        return JSONWriter.serialize(.object(members))
    }

    /// Milliseconds with three decimals, as JSON number text.
    private static func milliseconds(_ duration: Duration) -> String {
        let microseconds = duration.wholeMilliseconds * 1000 + (duration.components.attoseconds / 1_000_000_000_000) % 1000
        let fraction = String(microseconds % 1000)
        return "\(microseconds / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
