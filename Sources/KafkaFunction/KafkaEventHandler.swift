import Kafka
import LambdaRuntime
import Logging

/// The function: decodes each event into an action and runs it against Kafka.
public struct KafkaEventHandler: LambdaHandler {
    /// How long before the invocation's deadline our own work must be finished, so the answer
    /// always reaches the Runtime API in time.
    public let safetyMargin: Duration
    private let clients: KafkaClients
    private static let renderTimePerListedRecord: Duration = .microseconds(20)

    /// Reads and validates the configuration; creates no Kafka client yet.
    public init(environment: [String: String]) throws {
        let configuration: KafkaConfiguration
        do {
            configuration = try KafkaConfiguration.fromEnvironment(environment)
        } catch {
            throw FunctionError(.invalidConfiguration, "\(error.variable): \(error.message)")
        }
        let marginVariable = "LAMBDA_KAFKA_SAFETY_MARGIN_MS"
        if let text = environment[marginVariable] {
            guard let milliseconds = Int64(text), (0...60_000).contains(milliseconds) else {
                throw FunctionError(.invalidConfiguration, "\(marginVariable): must be an integer from 0 to 60000, got '\(text.prefix(32))'")
            }
            safetyMargin = .milliseconds(milliseconds)
        } else {
            safetyMargin = .milliseconds(500)
        }
        let logger = Logger(label: "kafka")
        for warning in configuration.security.warnings {
            logger.warning("\(warning)")
        }
        clients = KafkaClients(configuration: configuration, logger: logger)
    }

    public mutating func handle(_ event: [UInt8], context: InvocationContext) throws -> [UInt8] {
        let deadline = ContinuousClock.now + context.remainingTime - safetyMargin
        let document = try EventDecoder.parse(event)
        if APIGatewayRequest.isAPIGatewayEvent(document) {
            do {
                let request = try APIGatewayRequest.decode(document)
                return APIGatewayRouter.handle(request, clients: clients, deadline: deadline)
            } catch {
                return APIGatewayResponse.problem(error).serialized()
            }
        }
        switch try EventDecoder.decode(document) {
        case let .produce(request):
            // Listing thousands of records in the answer takes time of its own after Kafka is done.
            let renderAllowance = Self.renderTimePerListedRecord * request.listedRecordCount
            let outcome = try ProduceAction.run(request, clients: clients, deadline: deadline - renderAllowance)
            let generated = if case .generated = request.records { true } else { false }
            return try ProduceResult.render(outcome, perPartition: generated)
        case let .consume(options):
            return try ConsumeAction.run(options, clients: clients, deadline: deadline)
        case let .offsets(topic):
            return try OffsetsAction.run(topic: topic, clients: clients, deadline: deadline)
        }
    }
}
