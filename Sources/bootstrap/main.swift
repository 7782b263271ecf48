import KafkaFunction
import LambdaRuntime

LocalEmulatorHandoff.execIfOutsideLambda()

LambdaRuntime.run { environment in
    try KafkaEventHandler(environment: environment)
}
