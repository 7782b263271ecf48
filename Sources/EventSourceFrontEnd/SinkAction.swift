import FunctionCore
import JSON
import PostgresSink

/// Writes an event-source-mapping batch through the sink. A failure is a function error, so the
/// event source mapping retries the batch.
package enum SinkAction {
    package static func run(_ event: KafkaSourceEvent, sink: PostgresSink?) throws(FunctionError) -> [UInt8] {
        guard let sink else {
            throw FunctionError(
                .invalidConfiguration,
                "Kafka event source mapping batches need \(SinkEnvironment.urlVariable): set it to the PostgreSQL database to write to")
        }
        let summary: WriteSummary
        do {
            summary = try sink.write(event.records)
        } catch {
            throw FunctionError(error)
        }
        return JSONWriter.serialize(.object([
            ("records", .integer(event.records.count)),
            ("written", .integer(summary.written)),
            ("skipped", .integer(summary.skipped)),
            ("deleted", .integer(summary.deleted)),
            ("mode", .string(sink.settings.mode.rawValue)),
            ("tables", .array(summary.tables.map { .string($0) })),
        ]))
    }
}
