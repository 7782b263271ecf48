import LambdaRuntime

/// Stand-in until the Kafka actions land: answers every event with `Function.UnknownAction`.
public struct KafkaEventHandler: LambdaHandler {
    public init(environment: [String: String]) throws {}

    public mutating func handle(_ event: [UInt8], context: InvocationContext) throws -> [UInt8] {
        throw LambdaError(errorType: "Function.UnknownAction", errorMessage: "No Kafka action is implemented yet")
    }
}
