import FunctionCore
import JSON
import PostgresSink

/// Batches from a Lambda event source mapping for Kafka (`KafkaSourceEvent`), written through the
/// sink (`SinkAction`). A failure is a function error, so the mapping retries the batch.
package struct EventSourceFrontEnd: FrontEnd {
    private let sink: PostgresSink?

    package init(sink: PostgresSink?) {
        self.sink = sink
    }

    package func accepts(_ event: ScannedEvent) -> Bool {
        KafkaSourceEvent.isSourceEvent(event.document)
    }

    package func handle(_ event: ScannedEvent, bytes: [UInt8], invocation: FunctionInvocation) throws -> [UInt8] {
        // The batch's records object was validated but not built by the scan: it is read from the
        // event's bytes while the sink writes.
        let batch = try KafkaSourceBatch.decode(event, bytes: bytes)
        return try SinkAction.run(batch, sink: sink, invocation: invocation)
    }
}
