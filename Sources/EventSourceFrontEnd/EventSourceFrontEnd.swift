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
        // A records array is taken out of the tree only when it is an array (produce events);
        // event-source batches keep theirs, keyed by topic-partition.
        let batch = try KafkaSourceEvent.decode(event.document)
        invocation.metrics.action = "sink"
        invocation.metrics.topic = batch.records.first?.topic
        return try SinkAction.run(batch, sink: sink)
    }
}
