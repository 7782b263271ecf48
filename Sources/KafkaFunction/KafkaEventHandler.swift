import Kafka
import LambdaRuntime
import Logging
import PostgresSink

/// The function: decodes each event into an action and runs it against Kafka.
public struct KafkaEventHandler: LambdaHandler, Sendable {
    /// How long before the invocation's deadline our own work must be finished, so the answer
    /// always reaches the Runtime API in time.
    public var safetyMargin: Duration { settings.safetyMargin }
    private let settings: FunctionSettings
    private let clients: KafkaClients
    /// Set by `SINK_POSTGRES_URL`; connects on the first batch or read.
    private let sink: PostgresSink?
    private static let renderTimePerListedRecord: Duration = .microseconds(20)

    /// Reads and validates the configuration; creates no Kafka client yet.
    public init(environment: [String: String]) throws {
        let configuration: KafkaConfiguration
        do throws(ConfigurationError) {
            let environment = Environment(environment)
            configuration = try KafkaEnvironment.configuration(environment)
            settings = try FunctionSettings(environment)
        } catch {
            throw error.functionError
        }
        let logger = Logger(label: "kafka")
        for warning in configuration.securityWarnings {
            logger.warning("\(warning)")
        }
        clients = KafkaClients(configuration: configuration, logger: logger)
        sink = try SinkEnvironment.sink(from: environment)
        MemoryRelease.configure()
    }

    public mutating func handle(_ event: [UInt8], context: InvocationContext) throws -> [UInt8] {
        var noStreaming: StreamingResponder?
        return try handle(event, context: context, streaming: &noStreaming)
    }

    /// A consume with `"stream": true` answers through `responder`'s stream; everything else returns its body.
    public mutating func handle(_ event: [UInt8], context: InvocationContext, responder: inout StreamingResponder) throws -> [UInt8] {
        var streaming: StreamingResponder? = responder
        defer { if let streaming { responder = streaming } }
        return try handle(event, context: context, streaming: &streaming)
    }

    private func handle(_ event: [UInt8], context: InvocationContext, streaming: inout StreamingResponder?) throws -> [UInt8] {
        var metrics = InvocationMetrics()
        do {
            let answer = try answer(event, context: context, metrics: &metrics, streaming: &streaming)
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

    private func answer(
        _ event: [UInt8], context: InvocationContext, metrics: inout InvocationMetrics, streaming: inout StreamingResponder?
    ) throws -> [UInt8] {
        let deadline = ContinuousClock.now + context.remainingTime - settings.safetyMargin
        let traceID = settings.traceHeader ? context.traceID : nil
        let scanned = try EventDecoder.scan(event)
        // A records array is taken out of the tree only when it is an array (produce events);
        // event-source batches keep theirs, keyed by topic-partition.
        if KafkaSourceEvent.isSourceEvent(scanned.document) {
            let batch = try KafkaSourceEvent.decode(scanned.document)
            metrics.action = "sink"
            metrics.topic = batch.records.first?.topic
            return try SinkAction.run(batch, sink: sink)
        }
        if WebSocketEvent.isWebSocketEvent(scanned.document) {
            return PubSubHandler.handle(try WebSocketEvent.decode(scanned.document), clients: clients, deadline: deadline, metrics: &metrics)
        }
        if APIGatewayRequest.isAPIGatewayEvent(scanned.document) {
            let document = scanned.replacedRecords ? try EventDecoder.parse(event) : scanned.document
            do {
                let request = try APIGatewayRequest.decode(document)
                return try APIGatewayRouter.handle(
                    request, clients: clients, limits: settings.callerLimits, restProxy: settings.restProxy, sink: sink, deadline: deadline,
                    traceID: traceID, cors: settings.cors, logger: context.logger, metrics: &metrics,
                    streaming: &streaming)
            } catch let error as HTTPProblem {
                metrics.errorType = "HTTP.\(error.status)"
                return APIGatewayResponse.problem(error).serialized(cors: settings.cors)
            }
        }
        let request = try EventDecoder.decode(scanned)
        metrics.action = request.actionName
        metrics.topic = request.topic
        let started = ContinuousClock.now
        defer { metrics.kafkaLatency = ContinuousClock.now - started }
        switch request {
        case let .produce(event):
            try settings.callerLimits.check(event)
            let request = settings.callerLimits.applied(to: event)
            // Listing thousands of records in the answer takes time of its own after Kafka is done.
            let renderAllowance = Self.renderTimePerListedRecord * request.listedRecordCount
            let outcome = try ProduceAction.run(request, clients: clients, deadline: deadline - renderAllowance, traceID: traceID)
            metrics.recordsProduced = outcome.reports.count - outcome.failedCount
            metrics.bytesProduced = outcome.deliveredBytes
            let generated = if case .generated = request.records { true } else { false }
            return try ProduceResult.render(outcome, perPartition: generated)
        case let .consume(options) where options.stream:
            guard let responder = streaming else {
                throw FunctionError.invalidEvent("Field 'stream': this invocation cannot be answered as a stream")
            }
            // Opened with the first chunk: an error before it (a missing topic) is an ordinary function error.
            let stream = DeferredStream(responder: responder, contentType: StreamedConsume.contentType)
            defer { streaming = stream.responder }
            let summary = try StreamedConsume.run(options, clients: clients, deadline: deadline, stream: stream, metrics: &metrics)
            try stream.open()
            return summary
        case let .consume(options):
            let answer = try ConsumeAction.run(options, clients: clients, deadline: deadline)
            metrics.recordsConsumed = answer.recordCount
            metrics.bytesConsumed = answer.recordBytes
            return answer.body
        case let .offsets(topic):
            return try OffsetsAction.run(topic: topic, clients: clients, deadline: deadline)
        }
    }

    public func shutdown(deadline: ContinuousClock.Instant) {
        clients.shutdown(deadline: deadline)
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
