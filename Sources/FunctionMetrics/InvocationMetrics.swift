import JSON

/// The figures of one invocation, gathered while it runs and written once it ends.
package struct InvocationMetrics {
    /// `produce`, `consume`, `offsets`, `list_topics`, `preflight`, or `none` when the event
    /// was rejected before an action was known.
    package var action = "none"
    package var topic: String?
    package var recordsProduced = 0
    package var recordsConsumed = 0
    /// Keys and values of the records acknowledged by the broker.
    package var bytesProduced = 0
    /// Keys and values of the records returned.
    package var bytesConsumed = 0
    /// Time spent running the action against Kafka; nil when Kafka was not contacted.
    package var kafkaLatency: Duration?
    /// `Function.X` for a function error, `HTTP.4xx`/`HTTP.5xx` for an API Gateway error answer.
    package var errorType: String?

    package init() {}
}

extension Duration {
    /// Whole milliseconds, as the metric lines and the answers' `elapsed_ms` report a duration.
    package var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
