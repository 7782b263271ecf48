import APIGatewayFrontEnd
import DirectFrontEnd
import EventSourceFrontEnd
import FunctionCore
import FunctionMetrics
import Kafka
import LambdaRuntime
import Logging
import WebSocketFrontEnd

/// The function: reads each event once, hands it to the first front-end that claims it, and
/// writes the invocation's metrics. The wiring only; the work is in the front-ends and the core.
public struct KafkaEventHandler: LambdaHandler, Sendable {
    /// How long before the invocation's deadline our own work must be finished, so the answer
    /// always reaches the Runtime API in time.
    public var safetyMargin: Duration { settings.safetyMargin }
    private let settings: FunctionSettings
    private let clients: KafkaClients
    /// Asked in this order whether an event is theirs; `direct` takes every event none claims.
    private let frontEnds: [any FrontEnd]
    private let direct: DirectFrontEnd

    /// Reads and validates the configuration; creates no Kafka client yet.
    public init(environment: [String: String]) throws {
        let configuration: KafkaConfiguration
        let cors: CORSPolicy?
        let restProxy: RestProxySettings
        do throws(ConfigurationError) {
            let environment = Environment(environment)
            configuration = try KafkaEnvironment.configuration(environment)
            settings = try FunctionSettings(environment)
            cors = try CORSPolicy(environment)
            restProxy = try RestProxySettings(environment)
        } catch {
            throw error.functionError
        }
        let logger = Logger(label: "kafka")
        for warning in configuration.securityWarnings {
            logger.warning("\(warning)")
        }
        let clients = KafkaClients(configuration: configuration, logger: logger)
        self.clients = clients
        // Set by `SINK_POSTGRES_URL`; connects on the first batch or read.
        let sink = try SinkEnvironment.sink(from: environment)
        // WebSocket events carry a `requestContext` too: they are asked before API Gateway's.
        frontEnds = [
            EventSourceFrontEnd(sink: sink),
            WebSocketFrontEnd(clients: clients, refusedTopics: [restProxy.stateTopic]),
            APIGatewayFrontEnd(clients: clients, limits: settings.callerLimits, sink: sink, cors: cors, restProxy: restProxy),
        ]
        direct = DirectFrontEnd(clients: clients, limits: settings.callerLimits)
        MemoryRelease.configure()
    }

    /// A consume with `"stream": true` answers through `context.responder`'s stream; everything else returns its body.
    public mutating func handle(_ event: [UInt8], context: InvocationContext) throws -> [UInt8] {
        let invocation = FunctionInvocation(
            deadline: ContinuousClock.now + context.remainingTime - settings.safetyMargin,
            traceID: settings.traceHeader ? context.traceID : nil, logger: context.logger, responder: context.responder)
        return try run(event, invocation: invocation, context: context)
    }

    private func run(_ event: [UInt8], invocation: FunctionInvocation, context: InvocationContext) throws -> [UInt8] {
        do {
            let scanned = try EventJSON.scan(event)
            let frontEnd = frontEnds.first { $0.accepts(scanned) } ?? direct
            let answer = try frontEnd.handle(scanned, bytes: event, invocation: invocation)
            writeMetrics(invocation.metrics, context: context)
            MemoryRelease.afterInvocation(eventBytes: event.count, answerBytes: answer.count)
            return answer
        } catch {
            MemoryRelease.afterInvocation(eventBytes: event.count, answerBytes: 0)
            invocation.metrics.errorType = (error as? any LambdaFunctionError)?.errorType ?? LambdaErrorType.unhandled
            writeMetrics(invocation.metrics, context: context)
            throw error
        }
    }

    public func shutdown(deadline: ContinuousClock.Instant) {
        clients.shutdown(deadline: deadline)
    }

    private func writeMetrics(_ metrics: InvocationMetrics, context: InvocationContext) {
        guard let format = settings.metrics else { return }
        StandardStream.output.writeLine(format.line(
            metrics, timestampMilliseconds: WallClock.nowEpochMilliseconds(),
            requestID: context.requestID, traceID: context.traceID))
    }
}
