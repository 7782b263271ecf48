import KafkaFunction
import LambdaRuntime

LambdaRuntime.run { environment in
    let diagnosticsEnabled = try DiagnosticActions<KafkaEventHandler>.isEnabled(in: environment)
    return DiagnosticActions(wrapping: try KafkaEventHandler(environment: environment), enabled: diagnosticsEnabled)
}
