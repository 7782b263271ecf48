import Kafka
import LambdaRuntime
import Logging

/// The function: decodes each event into an action and runs it against Kafka.
public struct KafkaEventHandler: LambdaHandler {
    /// How long before the invocation's deadline our own work must be finished, so the answer
    /// always reaches the Runtime API in time.
    public var safetyMargin: Duration { settings.safetyMargin }
    private let settings: FunctionSettings
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
        settings = try FunctionSettings(environment: environment)
        let logger = Logger(label: "kafka")
        for warning in configuration.security.warnings {
            logger.warning("\(warning)")
        }
        clients = KafkaClients(configuration: configuration, logger: logger)
        MemoryRelease.configure()
    }

    public mutating func handle(_ event: [UInt8], context: InvocationContext) throws -> [UInt8] {
        var metrics = InvocationMetrics()
        do {
            let answer = try answer(event, context: context, metrics: &metrics)
            writeMetrics(metrics, context: context)
            MemoryRelease.afterInvocation(eventBytes: event.count, answerBytes: answer.count)
            return answer
        } catch {
            MemoryRelease.afterInvocation(eventBytes: event.count, answerBytes: 0)
            metrics.errorType = (error as? any LambdaFunctionError)?.errorType ?? LambdaErrorType.unhandled
            writeMetrics(metrics, context: context)
            throw error
        }
    }

    private func answer(_ event: [UInt8], context: InvocationContext, metrics: inout InvocationMetrics) throws -> [UInt8] {
        let deadline = ContinuousClock.now + context.remainingTime - settings.safetyMargin
        let traceID = settings.traceHeader ? context.traceID : nil
        let scanned = try EventDecoder.scan(event)
        if APIGatewayRequest.isAPIGatewayEvent(scanned.document) {
            let document = scanned.replacedRecords ? try EventDecoder.parse(event) : scanned.document
            do {
                let request = try APIGatewayRequest.decode(document)
                return APIGatewayRouter.handle(request, clients: clients, deadline: deadline, traceID: traceID, metrics: &metrics)
            } catch {
                metrics.errorType = "HTTP.\(error.status)"
                return APIGatewayResponse.problem(error).serialized()
            }
        }
        let request = try EventDecoder.decode(scanned)
        metrics.action = request.actionName
        metrics.topic = request.topic
        let started = ContinuousClock.now
        defer { metrics.kafkaLatency = ContinuousClock.now - started }
        switch request {
        case let .produce(request):
            // Listing thousands of records in the answer takes time of its own after Kafka is done.
            let renderAllowance = Self.renderTimePerListedRecord * request.listedRecordCount
            let outcome = try ProduceAction.run(request, clients: clients, deadline: deadline - renderAllowance, traceID: traceID)
            metrics.recordsProduced = outcome.reports.count - outcome.failedCount
            metrics.bytesProduced = outcome.deliveredBytes
            let generated = if case .generated = request.records { true } else { false }
            return try ProduceResult.render(outcome, perPartition: generated)
        case let .consume(options):
            let answer = try ConsumeAction.run(options, clients: clients, deadline: deadline)
            metrics.recordsConsumed = answer.recordCount
            metrics.bytesConsumed = answer.recordBytes
            return answer.body
        case let .offsets(topic):
            return try OffsetsAction.run(topic: topic, clients: clients, deadline: deadline)
        }
    }

    private func writeMetrics(_ metrics: InvocationMetrics, context: InvocationContext) {
        guard let format = settings.metrics else { return }
        StandardOutput.writeLine(format.line(
            metrics, timestampMilliseconds: WallClock.nowEpochMilliseconds(),
            requestID: context.requestID, traceID: context.traceID))
    }
}

extension ActionRequest {
    var actionName: String {
        switch self {
        case .produce: "produce"
        case .consume: "consume"
        case .offsets: "offsets"
        }
    }

    var topic: String {
        switch self {
        case let .produce(request): request.topic
        case let .consume(options): options.topic
        case let .offsets(topic): topic
        }
    }
}
