/// The function's own environment variables (Kafka's are read by `KafkaConfiguration`).
struct FunctionSettings: Sendable {
    static let safetyMarginVariable = "LAMBDA_KAFKA_SAFETY_MARGIN_MS"
    static let metricsVariable = "LAMBDA_KAFKA_METRICS"
    static let metricsNamespaceVariable = "LAMBDA_KAFKA_METRICS_NAMESPACE"
    static let traceHeaderVariable = "LAMBDA_KAFKA_TRACE_HEADER"

    /// How long before the invocation's deadline Kafka work must stop.
    var safetyMargin: Duration = .milliseconds(500)
    /// Set when `LAMBDA_KAFKA_METRICS=emf`: one Embedded Metric Format line per invocation.
    var metrics: EmbeddedMetricFormat?
    /// `LAMBDA_KAFKA_TRACE_HEADER=true`: produced records carry the invocation's trace id.
    var traceHeader = false

    init(environment: [String: String]) throws(FunctionError) {
        if let text = environment[Self.safetyMarginVariable] {
            guard let milliseconds = Int64(text), (0...60_000).contains(milliseconds) else {
                throw Self.invalid(Self.safetyMarginVariable, "must be an integer from 0 to 60000, got '\(text.prefix(32))'")
            }
            safetyMargin = .milliseconds(milliseconds)
        }
        switch environment[Self.metricsVariable]?.lowercased() ?? "" {
        case "", "off", "none":
            metrics = nil
        case "emf":
            let namespace = environment[Self.metricsNamespaceVariable] ?? EmbeddedMetricFormat.defaultNamespace
            guard EmbeddedMetricFormat.isValidNamespace(namespace) else {
                throw Self.invalid(
                    Self.metricsNamespaceVariable,
                    "must be 1 to 255 of [A-Za-z0-9.-_/#: ], not only spaces and not starting with 'AWS/'")
            }
            metrics = EmbeddedMetricFormat(namespace: namespace)
        default:
            throw Self.invalid(Self.metricsVariable, "must be 'emf' or 'off'")
        }
        switch environment[Self.traceHeaderVariable]?.lowercased() ?? "" {
        case "", "false", "0": traceHeader = false
        case "true", "1": traceHeader = true
        default: throw Self.invalid(Self.traceHeaderVariable, "must be true or false")
        }
    }

    private static func invalid(_ variable: String, _ reason: String) -> FunctionError {
        FunctionError(.invalidConfiguration, "\(variable): \(reason)")
    }
}
