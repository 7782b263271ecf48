import FunctionCore
import JSON
import Kafka

/// Direct invocations (`{"action": ...}`) and EventBridge events that carry one: decodes the action
/// (`EventDecoder`), applies the caller limits and runs it; errors are function errors as they are.
/// The front-end of last resort: an event no other front-end claims is read as a direct one.
package struct DirectFrontEnd: FrontEnd {
    private static let renderTimePerListedRecord: Duration = .microseconds(20)
    private let clients: any KafkaAccess
    private let limits: CallerLimits

    package init(clients: any KafkaAccess, limits: CallerLimits) {
        self.clients = clients
        self.limits = limits
    }

    package func accepts(_ event: ScannedEvent) -> Bool { true }

    package func handle(_ event: ScannedEvent, bytes: [UInt8], invocation: FunctionInvocation) throws -> [UInt8] {
        let request = try EventDecoder.decode(event)
        invocation.metrics.action = request.actionName
        invocation.metrics.topic = request.topic
        let started = ContinuousClock.now
        defer { invocation.metrics.kafkaLatency = ContinuousClock.now - started }
        switch request {
        case let .produce(event):
            try limits.check(event)
            let request = limits.applied(to: event)
            // Listing thousands of records in the answer takes time of its own after Kafka is done.
            let renderAllowance = Self.renderTimePerListedRecord * request.listedRecordCount
            let outcome = try ProduceAction.run(
                request, clients: clients, deadline: invocation.deadline - renderAllowance, traceID: invocation.traceID)
            invocation.metrics.recordsProduced = outcome.reports.count - outcome.failedCount
            invocation.metrics.bytesProduced = outcome.deliveredBytes
            let generated = if case .generated = request.records { true } else { false }
            return try ProduceResult.render(outcome, perPartition: generated)
        case let .consume(options) where options.stream:
            guard let responder = invocation.responder else {
                throw FunctionError.invalidEvent("Field 'stream': this invocation cannot be answered as a stream")
            }
            // Opened with the first chunk: an error before it (a missing topic) is an ordinary function error.
            let stream = DeferredStream(responder: responder, contentType: StreamedConsume.contentType)
            let summary = try StreamedConsume.run(options, clients: clients, invocation: invocation, stream: stream)
            try stream.open()
            return summary
        case let .consume(options):
            let answer = try ConsumeAction.run(options, clients: clients, deadline: invocation.deadline)
            invocation.metrics.recordsConsumed = answer.recordCount
            invocation.metrics.bytesConsumed = answer.recordBytes
            return answer.body
        case let .offsets(topic):
            return try OffsetsAction.run(topic: topic, clients: clients, deadline: invocation.deadline)
        }
    }
}
