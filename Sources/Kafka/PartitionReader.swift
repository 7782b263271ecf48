import CRdKafka

/// Turns polled messages into returned records and tracks, per partition, what was returned
/// and whether the partition is read to its end.
struct PartitionReader {
    /// Records `accept` took.
    private(set) var returned = 0
    /// Per partition id (Kafka numbers a topic's partitions from 0), the offset of the next record
    /// not returned (`unassigned` for a partition not read), its high watermark when the call
    /// started, and whether it is read to its end: looked up by index for every record, where
    /// dictionaries cost more than rendering the record's fixed members.
    private var nextByPartition: [Int64] = []
    private var highByPartition: [Int64] = []
    private var atEndByPartition: [Bool] = []
    private let assignedCount: Int
    private var atEndCount = 0
    private(set) var stoppedEarly = false
    /// The record `accept` refused, if it did.
    private(set) var rejected: (partition: Int32, offset: Int64)?

    private static let unassigned = Int64.min

    init(plan: ReadPlan) {
        let slots = Int((plan.start.keys.max() ?? -1) + 1)
        nextByPartition = Array(repeating: Self.unassigned, count: slots)
        highByPartition = Array(repeating: 0, count: slots)
        atEndByPartition = Array(repeating: false, count: slots)
        assignedCount = plan.start.keys.count(where: { $0 >= 0 })
        for (partition, offset) in plan.start where partition >= 0 {
            let slot = Int(partition)
            nextByPartition[slot] = offset
            highByPartition[slot] = plan.high[partition, default: 0]
            if offset >= highByPartition[slot] { markAtEnd(slot) }
        }
    }

    /// Offset of the next record not returned, per assigned partition.
    var next: [Int32: Int64] {
        var offsets: [Int32: Int64] = [:]
        for (slot, offset) in nextByPartition.enumerated() where offset != Self.unassigned {
            offsets[Int32(slot)] = offset
        }
        return offsets
    }

    var allAtEnd: Bool { atEndCount == assignedCount }

    private mutating func markAtEnd(_ slot: Int) {
        guard !atEndByPartition[slot] else { return }
        atEndByPartition[slot] = true
        atEndCount += 1
    }

    /// The slot of an assigned partition, nil for any other.
    private func slot(_ partition: Int32) -> Int? {
        guard partition >= 0, Int(partition) < nextByPartition.count, nextByPartition[Int(partition)] != Self.unassigned else {
            return nil
        }
        return Int(partition)
    }

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
            if let slot = slot(partition), offset >= nextByPartition[slot], offset >= highByPartition[slot] {
                markAtEnd(slot)
            }
            return nil
        case let code:
            let reason = rd_kafka_message_errstr(message).map { String(cString: $0) }
            return KafkaError(code: code, message: reason)
        }
        // Anything before the position is a leftover from before a seek.
        guard let slot = slot(partition), offset >= nextByPartition[slot], isFromTopic(message, topic) else { return nil }

        guard accept(ConsumedRecordView(message)) else {
            stoppedEarly = true
            rejected = (partition, offset)
            return nil
        }
        returned += 1
        nextByPartition[slot] = offset + 1
        if offset + 1 >= highByPartition[slot] { markAtEnd(slot) }
        return nil
    }
}
