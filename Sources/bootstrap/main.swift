import KafkaFunction
import LambdaRuntime

LocalEmulatorHandoff.execIfOutsideLambda()

LambdaRuntime.run { environment in
    let diagnosticsEnabled = try DiagnosticActions<KafkaEventHandler>.isEnabled(in: environment)
    return DiagnosticActions(wrapping: try KafkaEventHandler(environment: environment), enabled: diagnosticsEnabled)
}
