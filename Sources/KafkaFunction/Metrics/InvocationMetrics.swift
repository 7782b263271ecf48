/// The figures of one invocation, gathered while it runs and written once it ends.
struct InvocationMetrics {
    /// `produce`, `consume`, `offsets`, `list_topics`, `preflight`, or `none` when the event
    /// was rejected before an action was known.
    var action = "none"
    var topic: String?
    var recordsProduced = 0
    var recordsConsumed = 0
    /// Keys and values of the records acknowledged by the broker.
    var bytesProduced = 0
    /// Keys and values of the records returned.
    var bytesConsumed = 0
    /// Time spent running the action against Kafka; nil when Kafka was not contacted.
    var kafkaLatency: Duration?
    /// `Function.X` for a function error, `HTTP.4xx`/`HTTP.5xx` for an API Gateway error answer.
    var errorType: String?
}
