import CRdKafka

/// Sole owner of an `rd_kafka_topic_partition_list_t`. The C list is reached only inside
/// `withUnsafePointer`, which keeps its owner alive for exactly the C call.
final class TopicPartitionList {
    private let pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>

    init(capacity: Int) {
        pointer = rd_kafka_topic_partition_list_new(Int32(clamping: capacity))
    }

    init(topic: String, offsets: [Int32: Int64]) {
        pointer = rd_kafka_topic_partition_list_new(Int32(clamping: offsets.count))
        for (partition, offset) in offsets.sorted(by: { $0.key < $1.key }) {
            add(topic: topic, partition: partition, offset: offset)
        }
    }

    deinit {
        rd_kafka_topic_partition_list_destroy(pointer)
    }

    /// Calls `body` with the list; the pointer must not be kept after `body` returns.
    func withUnsafePointer<Result, Failure: Error>(
        _ body: (UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        defer { withExtendedLifetime(self) {} }
        return try body(pointer)
    }

    func add(topic: String, partition: Int32, offset: Int64) {
        let element = rd_kafka_topic_partition_list_add(pointer, topic, partition)
        element?.pointee.offset = offset
    }

    private var elements: UnsafeMutableBufferPointer<rd_kafka_topic_partition_t> {
        UnsafeMutableBufferPointer(start: pointer.pointee.elems, count: Int(pointer.pointee.cnt))
    }

    /// Offsets by partition (for one topic).
    var offsets: [Int32: Int64] {
        var result: [Int32: Int64] = [:]
        for element in elements { result[element.partition] = element.offset }
        return result
    }

    /// The first per-partition error, if any.
    var firstError: KafkaError? {
        elements.first { $0.err != RD_KAFKA_RESP_ERR_NO_ERROR }.map {
            KafkaError(code: $0.err, message: "partition \($0.partition): \(String(cString: rd_kafka_err2str($0.err)))")
        }
    }
}
