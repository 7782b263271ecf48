import CRdKafka

/// Turns polled messages into returned records and tracks, per partition, what was returned
/// and whether the partition is read to its end.
struct PartitionReader {
    /// Records `accept` took.
    private(set) var returned = 0
    /// Offset of the next record not returned, per assigned partition.
    private(set) var next: [Int32: Int64]
    private var atEnd: Set<Int32> = []
    private let high: [Int32: Int64]
    private(set) var stoppedEarly = false
    /// The record `accept` refused, if it did.
    private(set) var rejected: (partition: Int32, offset: Int64)?

    init(plan: ReadPlan) {
        next = plan.start
        high = plan.high
        for (partition, offset) in plan.start where offset >= plan.high[partition, default: 0] {
            atEnd.insert(partition)
        }
    }

    var allAtEnd: Bool { atEnd.count == next.count }

    /// The topic handle seen to carry `topic`: later messages compare the handle, not the name.
    private var topicHandle: OpaquePointer?

    private mutating func isFromTopic(_ message: UnsafeMutablePointer<rd_kafka_message_t>, _ topic: String) -> Bool {
        guard let handle = message.pointee.rkt else { return false }
        if handle == topicHandle { return true }
        guard String(cString: rd_kafka_topic_name(handle)) == topic else { return false }
        topicHandle = handle
        return true
    }

    /// Handles one polled message; returns the error it carries, if any (end-of-partition is not an error).
    mutating func handle(
        _ message: UnsafeMutablePointer<rd_kafka_message_t>, topic: String, accept: (ConsumedRecordView) -> Bool
    ) -> KafkaError? {
        let partition = message.pointee.partition
        let offset = message.pointee.offset
        switch message.pointee.err {
        case RD_KAFKA_RESP_ERR_NO_ERROR:
            break
        case RD_KAFKA_RESP_ERR__PARTITION_EOF:
            // An end-of-partition left over from an earlier call sits below this call's high watermark.
            if let expected = next[partition], offset >= expected, offset >= high[partition, default: 0] {
                atEnd.insert(partition)
            }
            return nil
        case let code:
            let reason = rd_kafka_message_errstr(message).map { String(cString: $0) }
            return KafkaError(code: code, message: reason)
        }
        // Anything before the position is a leftover from before a seek.
        guard let expected = next[partition], offset >= expected, isFromTopic(message, topic) else { return nil }

        guard accept(ConsumedRecordView(message)) else {
            stoppedEarly = true
            rejected = (partition, offset)
            return nil
        }
        returned += 1
        next[partition] = offset + 1
        if offset + 1 >= high[partition, default: 0] { atEnd.insert(partition) }
        return nil
    }
}
