import KafkaFunction
import LambdaRuntime

// The product's handler behind the diagnostic actions, for the integration tests and the bench.
LambdaRuntime.run { environment in
    DiagnosticActions(wrapping: try KafkaEventHandler(environment: environment))
}
