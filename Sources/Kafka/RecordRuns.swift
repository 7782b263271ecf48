import CRdKafka
import CRdKafkaShim

/// Hands a range of one call's records to librdkafka.
enum RecordRuns {
    /// Flags of every run: librdkafka copies each record, and honours each message's own partition
    /// (`RD_KAFKA_PARTITION_UA` lets the partitioner choose, record by record, as for a single produce).
    private static let batchFlags = RD_KAFKA_MSG_F_COPY | RD_KAFKA_MSG_F_PARTITION

    /// Each run of records without headers goes in one `rd_kafka_produce_batch`: one topic lock,
    /// clock reading and produce check for the run instead of for each record (a C program handing
    /// 40,000 keyed records to librdkafka took 11 ms that way against 15 ms one by one, on the mock
    /// cluster). A record with headers, which a batch cannot carry, goes alone through `single`.
    /// `messages` holds one run at a time.
    static func produce(
        _ range: Range<Int>, of records: some ProducibleRecords, topic: OpaquePointer, generation: UInt32,
        messages: UnsafeMutableBufferPointer<rd_kafka_message_t>,
        failed: (Int, rd_kafka_resp_err_t) -> Void,
        single: (Int, UnsafeMutableRawPointer?) -> rd_kafka_resp_err_t
    ) -> ProducedRange {
        var index = range.lowerBound
        while index < range.upperBound {
            var count = 0
            while index + count < range.upperBound && count < messages.count {
                let record = records.record(index + count)
                guard record.headerCount == 0 else { break }
                messages[count] = message(record, opaque: DeliveryBatch.opaque(generation: generation, index: index + count))
                count += 1
            }
            guard count > 0 else {
                // A record with headers.
                let code = single(index, DeliveryBatch.opaque(generation: generation, index: index))
                if code == RD_KAFKA_RESP_ERR__QUEUE_FULL { return ProducedRange(next: index, stop: code) }
                if code != RD_KAFKA_RESP_ERR_NO_ERROR { failed(index, code) }
                index += 1
                continue
            }
            _ = rd_kafka_produce_batch(topic, cshim_rd_kafka_partition_unassigned, batchFlags, messages.baseAddress, Int32(count))
            for offset in 0..<count {
                // After a full queue librdkafka marks the rest of the run full too, without producing it.
                let code = messages[offset].err
                if code == RD_KAFKA_RESP_ERR__QUEUE_FULL { return ProducedRange(next: index + offset, stop: code) }
                if code != RD_KAFKA_RESP_ERR_NO_ERROR { failed(index + offset, code) }
            }
            index += count
        }
        return ProducedRange(next: range.upperBound, stop: RD_KAFKA_RESP_ERR_NO_ERROR)
    }

    /// Each record alone through `single`, for records held as `OutgoingRecord`s (samples, tests).
    static func produceOneByOne(
        _ range: Range<Int>, generation: UInt32, failed: (Int, rd_kafka_resp_err_t) -> Void,
        single: (Int, UnsafeMutableRawPointer?) -> rd_kafka_resp_err_t
    ) -> ProducedRange {
        for index in range {
            let code = single(index, DeliveryBatch.opaque(generation: generation, index: index))
            if code == RD_KAFKA_RESP_ERR__QUEUE_FULL { return ProducedRange(next: index, stop: code) }
            if code != RD_KAFKA_RESP_ERR_NO_ERROR { failed(index, code) }
        }
        return ProducedRange(next: range.upperBound, stop: RD_KAFKA_RESP_ERR_NO_ERROR)
    }

    private static func message(_ record: RecordBytes, opaque: UnsafeMutableRawPointer?) -> rd_kafka_message_t {
        var message = rd_kafka_message_t()
        message.partition = record.partition ?? cshim_rd_kafka_partition_unassigned
        if let value = nonNull(record.value) {
            message.payload = UnsafeMutableRawPointer(mutating: value.baseAddress)
            message.len = value.count
        }
        if let key = nonNull(record.key) {
            message.key = UnsafeMutableRawPointer(mutating: key.baseAddress)
            message.key_len = key.count
        }
        message._private = opaque
        return message
    }
}

var emptyBytes: UnsafeRawPointer { cshim_rd_kafka_empty_bytes() }

/// librdkafka treats a NULL pointer as an absent field: an empty key or value needs an address.
func nonNull(_ bytes: UnsafeRawBufferPointer?) -> UnsafeRawBufferPointer? {
    guard let bytes else { return nil }
    return bytes.baseAddress == nil ? UnsafeRawBufferPointer(start: emptyBytes, count: 0) : bytes
}
