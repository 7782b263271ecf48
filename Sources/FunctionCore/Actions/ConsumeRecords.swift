import JSON
import Kafka

/// What the buffered and the streamed consume do alike around the consumer: the request from the
/// event's options, the count of what was taken, and how Kafka's errors read to the caller.
package enum ConsumeRecords {
    /// What the records taken so far add up to.
    package struct Tally {
        package private(set) var count = 0
        /// Key and value bytes of the records taken.
        package private(set) var recordBytes = 0

        package mutating func add(_ record: ConsumedRecordView) {
            count += 1
            recordBytes += (record.key?.count ?? 0) + (record.value?.count ?? 0)
        }
    }

    /// Reads until `deadline`, handing each record in place (valid only during `accept`); `accept` returns false for a record that is not taken (it ends the read
    /// and is neither returned nor committed).
    package static func consume(
        _ options: ConsumeOptions, clients: any KafkaAccess, deadline: ContinuousClock.Instant,
        accept: (ConsumedRecordView) -> Bool
    ) throws(FunctionError) -> ConsumeResult {
        let request = ConsumeRequest(
            topic: options.topic, partition: options.partition, start: options.start,
            groupID: options.groupID, maxRecords: options.maxRecords, deadline: deadline)
        let consumer = try clients.consumer()
        do {
            return try consumer.consumeInPlace(request, accept: accept)
        } catch where error.isUnknownTopic {
            throw FunctionError(.topicNotFound, "Topic '\(options.topic)' does not exist")
        } catch where error.isUnknownPartition {
            throw .invalidEvent("Field 'partition': topic '\(options.topic)' has no partition \(options.partition.map(String.init) ?? "")")
        } catch {
            throw .kafka(error, while: "consuming from topic '\(options.topic)'")
        }
    }
}
