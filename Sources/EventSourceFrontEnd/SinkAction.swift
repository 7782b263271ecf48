import FunctionCore
import JSON
import PostgresSink

/// Writes an event-source-mapping batch through the sink while its records are read. A failure is a
/// function error, so the event source mapping retries the batch.
package enum SinkAction {
    package static func run(
        _ batch: KafkaSourceBatch, sink: PostgresSink?, invocation: FunctionInvocation
    ) throws(FunctionError) -> [UInt8] {
        guard let sink else {
            // An invalid batch is reported as such first, as with a sink.
            var firstTopic: String?
            _ = try batch.forEachRecord { record in firstTopic = firstTopic ?? record.topic }
            invocation.metrics.action = "sink"
            invocation.metrics.topic = firstTopic
            throw FunctionError(
                .invalidConfiguration,
                "Kafka event source mapping batches need \(SinkEnvironment.urlVariable): set it to the PostgreSQL database to write to")
        }
        var count = 0
        var firstTopic: String?
        let summary: WriteSummary
        do {
            summary = try sink.write { writer throws(FunctionError) in
                count = try batch.forEachRecord { record in
                    if firstTopic == nil { firstTopic = record.topic }
                    writer.append(record)
                }
            }
        } catch {
            switch error {
            case let .records(failure):
                throw failure
            case let .sink(failure):
                invocation.metrics.action = "sink"
                invocation.metrics.topic = firstTopic
                throw FunctionError(failure)
            }
        }
        invocation.metrics.action = "sink"
        invocation.metrics.topic = firstTopic
        return JSONWriter.serialize(.object([
            ("records", .integer(count)),
            ("written", .integer(summary.written)),
            ("skipped", .integer(summary.skipped)),
            ("deleted", .integer(summary.deleted)),
            ("mode", .string(sink.settings.mode.rawValue)),
            ("tables", .array(summary.tables.map { .string($0) })),
        ]))
    }
}
