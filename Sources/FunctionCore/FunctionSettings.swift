import FunctionMetrics
import JSON

/// The function's own settings (Kafka's connection settings are read by `KafkaEnvironment`, the API's CORS
/// policy by `CORSPolicy`).
package struct FunctionSettings: Sendable {
    package static let safetyMarginVariable = "LAMBDA_KAFKA_SAFETY_MARGIN_MS"
    package static let metricsVariable = "LAMBDA_KAFKA_METRICS"
    package static let metricsNamespaceVariable = "LAMBDA_KAFKA_METRICS_NAMESPACE"
    package static let traceHeaderVariable = "LAMBDA_KAFKA_TRACE_HEADER"

    /// How long before the invocation's deadline Kafka work must stop.
    package var safetyMargin: Duration = .milliseconds(500)
    /// Set when `LAMBDA_KAFKA_METRICS=emf`: one Embedded Metric Format line per invocation.
    package var metrics: EmbeddedMetricFormat?
    /// `LAMBDA_KAFKA_TRACE_HEADER=true`: produced records carry the invocation's trace id.
    package var traceHeader = false
    /// What direct events and HTTP API callers may do beyond reading and writing records.
    package var callerLimits = CallerLimits()

    package init(environment: [String: String]) throws(FunctionError) {
        do {
            try self.init(Environment(environment))
        } catch {
            throw error.functionError
        }
    }

    package init(_ environment: Environment) throws(ConfigurationError) {
        safetyMargin = .milliseconds(try environment.integer(Self.safetyMarginVariable, in: 0...60_000, default: 500))
        switch environment.text(Self.metricsVariable)?.lowercased() ?? "" {
        case "", "off", "none":
            metrics = nil
        case "emf":
            let namespace = environment.raw(Self.metricsNamespaceVariable) ?? EmbeddedMetricFormat.defaultNamespace
            guard EmbeddedMetricFormat.isValidNamespace(namespace) else {
                throw ConfigurationError(
                    Self.metricsNamespaceVariable,
                    "must be 1 to 255 of [A-Za-z0-9.-_/#: ], not only spaces and not starting with 'AWS/'")
            }
            metrics = EmbeddedMetricFormat(namespace: namespace)
        default:
            throw ConfigurationError(Self.metricsVariable, "must be 'emf' or 'off'")
        }
        traceHeader = try environment.flag(Self.traceHeaderVariable, default: false, acceptsDigits: true)
        callerLimits = try CallerLimits(environment)
    }
}
