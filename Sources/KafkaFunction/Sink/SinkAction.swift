import LambdaRuntime
import PostgresSink

/// Writes an event-source-mapping batch through the sink. A failure is a function error, so the
/// event source mapping retries the batch.
enum SinkAction {
    static func run(_ event: KafkaSourceEvent, sink: PostgresSink?) throws -> [UInt8] {
        guard let sink else {
            throw FunctionError(
                .invalidConfiguration,
                "Kafka event source mapping batches need \(SinkEnvironment.urlVariable): set it to the PostgreSQL database to write to")
        }
        let summary: WriteSummary
        do {
            summary = try sink.write(event.records)
        } catch {
            throw SinkFailure(error)
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

/// A sink error as the function's answer: `Function.DatabaseUnavailable`, `Function.TableMismatch`, ...
struct SinkFailure: LambdaFunctionError {
    var error: SinkError

    init(_ error: SinkError) {
        self.error = error
    }

    var errorType: String { error.errorType }
    var errorMessage: String { error.message }
}
