import CRdKafka
import CRdKafkaShim
import Logging

/// One native producer and its delivery reports. Used by one thread at a time: `KafkaProducer`
/// holds its lock for a whole `send`, so concurrent runtime loops take turns (each call's reports
/// then never mix with another's).
///
/// Reports arrive through a callback served by `rd_kafka_poll`/`rd_kafka_flush` on the calling
/// thread, so a flush returns as soon as the last acknowledgement is in: no fixed waits.
final class ProducerSession: @unchecked Sendable {
    let client: NativeClient
    private let logger: Logger
    /// Tags each call's messages so a report that arrives after its call gave up is ignored.
    private var generation: UInt32 = 0
    private var sink = cshim_delivery_sink_t()
    /// Topic handles kept across calls: a warm call looks nothing up.
    private var topics: [String: OpaquePointer] = [:]

    private static let closeTimeoutMs: Int32 = 2000
    /// The end of a call's time kept for purging what is still unacknowledged and collecting the
    /// purge reports, so `send` returns by its deadline even when brokers are down.
    private static let purgeReserve: Duration = .milliseconds(200)
    /// While producing many records, reports already in are collected every so often, which frees
    /// librdkafka's copies of delivered records early.
    private static let pollEvery = 1024
    private static let maximumCachedTopics = 64

    init(configuration: KafkaConfiguration, logger: Logger) throws(KafkaError) {
        let native = try configuration.makeNativeConfiguration(role: .producer)
        if let conf = native.pointer {
            cshim_rd_kafka_conf_collect_deliveries(conf)
        }
        self.client = try NativeClient(type: RD_KAFKA_PRODUCER, configuration: native, logger: logger)
        self.logger = logger
    }

    deinit {
        if rd_kafka_flush(client.handle, Self.closeTimeoutMs) != RD_KAFKA_RESP_ERR_NO_ERROR {
            logger.warning("Kafka producer closed with records still undelivered; purging them")
            rd_kafka_purge(client.handle, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
            rd_kafka_poll(client.handle, 0)
        }
        for handle in topics.values { rd_kafka_topic_destroy(handle) }
        cshim_delivery_sink_release(&sink)
        // `client` is released next, which destroys the handle.
    }

    func send(topic: String, records: [OutgoingRecord], deadline: ContinuousClock.Instant) -> [DeliveryReport] {
        send(topic: topic, count: records.count, deadline: deadline) { index, topicHandle, opaque in
            let record = records[index]
            return withOptionalBytes(record.key) { key in
                withOptionalBytes(record.value) { value in
                    let headers = Self.makeHeaders(count: record.headers.count) { number, add in
                        let (name, bytes) = record.headers[number]
                        var nameCopy = name
                        nameCopy.withUTF8 { nameBytes in
                            bytes.withUnsafeBytes { add(UnsafeRawBufferPointer(nameBytes), $0) }
                        }
                    }
                    return produce(key: key, value: value, partition: record.partition, headers: headers,
                                   topic: topicHandle, opaque: opaque)
                }
            }
        }
    }

    func send(topic: String, records: some ProducibleRecords, deadline: ContinuousClock.Instant) -> [DeliveryReport] {
        send(topic: topic, count: records.count, deadline: deadline) { index, topicHandle, opaque in
            let record = records.record(index)
            let headers = Self.makeHeaders(count: record.headerCount) { number, add in
                let header = records.header(number, ofRecord: index)
                add(header.name, header.value)
            }
            return produce(key: nonNull(record.key), value: nonNull(record.value), partition: record.partition,
                           headers: headers, topic: topicHandle, opaque: opaque)
        }
    }

    private func send(
        topic: String, count: Int, deadline: ContinuousClock.Instant,
        produceRecord: (Int, OpaquePointer, UnsafeMutableRawPointer?) -> rd_kafka_resp_err_t
    ) -> [DeliveryReport] {
        generation = generation == .max ? 1 : generation + 1
        var batch = DeliveryBatch(count: count, generation: generation)
        guard count > 0 else { return [] }
        guard let topicHandle = topicHandle(topic) else {
            let error = KafkaError(code: rd_kafka_last_error(), message: "invalid topic name '\(topic)'")
            for index in 0..<count { batch.fail(index, error) }
            return batch.reports
        }
        let acknowledgementDeadline = deadline - Self.purgeReserve

        var index = 0
        while index < count {
            let code = produceRecord(index, topicHandle, DeliveryBatch.opaque(generation: generation, index: index))
            switch code {
            case RD_KAFKA_RESP_ERR_NO_ERROR:
                index += 1
                if index % Self.pollEvery == 0 { serveReports(into: &batch, timeoutMs: 0) }
            case RD_KAFKA_RESP_ERR__QUEUE_FULL where !acknowledgementDeadline.hasPassed:
                serveReports(into: &batch, timeoutMs: min(100, acknowledgementDeadline.remainingMilliseconds()))
            case RD_KAFKA_RESP_ERR__QUEUE_FULL:
                let error = KafkaError.timedOut("not sent before the deadline: the local producer queue stayed full")
                for remaining in index..<count { batch.fail(remaining, error) }
                index = count
            default:
                batch.fail(index, KafkaError(code: code))
                index += 1
            }
        }

        if batch.pending > 0 && !acknowledgementDeadline.hasPassed {
            // Flushing sends what is queued at once instead of after `linger.ms` (the caller waits for
            // every acknowledgement, so lingering would only add latency) and, with reports delivered by
            // callback, returns as soon as the last one is in.
            cshim_delivery_sink_activate(&sink)
            _ = rd_kafka_flush(client.handle, acknowledgementDeadline.remainingMilliseconds())
            cshim_delivery_sink_activate(nil)
            collect(into: &batch)
        }
        if batch.pending > 0 {
            giveUp(on: &batch, by: deadline)
        }
        return batch.reports
    }

    private func topicHandle(_ name: String) -> OpaquePointer? {
        if let cached = topics[name] { return cached }
        if topics.count >= Self.maximumCachedTopics {
            for handle in topics.values { rd_kafka_topic_destroy(handle) }
            topics.removeAll()
        }
        guard let handle = rd_kafka_topic_new(client.handle, name, nil) else { return nil }
        topics[name] = handle
        return handle
    }

    /// Purges what is still unacknowledged and collects the purge reports until `deadline`.
    private func giveUp(on batch: inout DeliveryBatch, by deadline: ContinuousClock.Instant) {
        logger.warning("Kafka delivery deadline passed; purging unacknowledged records", metadata: ["records": "\(batch.pending)"])
        batch.purging = true
        rd_kafka_purge(client.handle, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
        repeat {
            serveReports(into: &batch, timeoutMs: min(10, deadline.remainingMilliseconds()))
        } while batch.pending > 0 && !deadline.hasPassed
        batch.failPending(DeliveryBatch.unreported)
    }

    private func produce(
        key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?, partition: Int32?, headers: OpaquePointer?,
        topic: OpaquePointer, opaque: UnsafeMutableRawPointer?
    ) -> rd_kafka_resp_err_t {
        var fields = (rd_kafka_vu_t(), rd_kafka_vu_t(), rd_kafka_vu_t(), rd_kafka_vu_t(),
                      rd_kafka_vu_t(), rd_kafka_vu_t(), rd_kafka_vu_t())
        return withUnsafeMutableBytes(of: &fields) { raw in
            let list = raw.bindMemory(to: rd_kafka_vu_t.self)
            var count = 0
            func append(_ type: rd_kafka_vtype_t, _ fill: (inout rd_kafka_vu_t) -> Void) {
                list[count].vtype = type
                fill(&list[count])
                count += 1
            }
            append(RD_KAFKA_VTYPE_RKT) { $0.u.rkt = topic }
            append(RD_KAFKA_VTYPE_MSGFLAGS) { $0.u.i = RD_KAFKA_MSG_F_COPY }
            append(RD_KAFKA_VTYPE_OPAQUE) { $0.u.ptr = opaque }
            append(RD_KAFKA_VTYPE_PARTITION) { $0.u.i32 = partition ?? cshim_rd_kafka_partition_unassigned }
            if let key {
                append(RD_KAFKA_VTYPE_KEY) { $0.u.mem = .init(ptr: UnsafeMutableRawPointer(mutating: key.baseAddress), size: key.count) }
            }
            if let value {
                append(RD_KAFKA_VTYPE_VALUE) { $0.u.mem = .init(ptr: UnsafeMutableRawPointer(mutating: value.baseAddress), size: value.count) }
            }
            if let headers {
                append(RD_KAFKA_VTYPE_HEADERS) { $0.u.headers = headers }
            }
            guard let error = rd_kafka_produceva(client.handle, list.baseAddress, count) else {
                return RD_KAFKA_RESP_ERR_NO_ERROR
            }
            // Headers passed with RD_KAFKA_VTYPE_HEADERS stay ours when producing fails.
            if let headers { rd_kafka_headers_destroy(headers) }
            let code = rd_kafka_error_code(error)
            rd_kafka_error_destroy(error)
            return code
        }
    }

    /// A header list filled by `fill`, which calls `add` once per header; nil when there are none.
    private static func makeHeaders(
        count: Int, fill: (Int, (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Void) -> Void
    ) -> OpaquePointer? {
        guard count > 0, let list = rd_kafka_headers_new(count) else { return nil }
        for number in 0..<count {
            fill(number) { name, value in
                let nameAddress = name.baseAddress.map { $0.assumingMemoryBound(to: CChar.self) }
                _ = rd_kafka_header_add(list, nameAddress ?? emptyName, name.count, value.baseAddress ?? emptyBytes, value.count)
            }
        }
        return list
    }

    /// Waits up to `timeoutMs` for the next report and collects what is in.
    private func serveReports(into batch: inout DeliveryBatch, timeoutMs: Int32) {
        cshim_delivery_sink_activate(&sink)
        rd_kafka_poll(client.handle, timeoutMs)
        cshim_delivery_sink_activate(nil)
        collect(into: &batch)
    }

    private func collect(into batch: inout DeliveryBatch) {
        if let items = sink.items {
            for item in UnsafeBufferPointer(start: items, count: sink.count) { batch.record(item) }
        }
        sink.count = 0
        if sink.dropped > 0 {
            logger.error("Kafka delivery reports lost for lack of memory", metadata: ["reports": "\(sink.dropped)"])
            sink.dropped = 0
        }
        // A large batch's report storage is not kept for the small calls after it.
        if sink.capacity > 65536 { cshim_delivery_sink_release(&sink) }
    }
}

private var emptyBytes: UnsafeRawPointer { cshim_rd_kafka_empty_bytes() }
private var emptyName: UnsafePointer<CChar> { emptyBytes.assumingMemoryBound(to: CChar.self) }

/// librdkafka treats a NULL pointer as an absent field: an empty key or value needs an address.
private func nonNull(_ bytes: UnsafeRawBufferPointer?) -> UnsafeRawBufferPointer? {
    guard let bytes else { return nil }
    return bytes.baseAddress == nil ? UnsafeRawBufferPointer(start: emptyBytes, count: 0) : bytes
}

/// Calls `body` with the bytes of `bytes` (a non-null pointer even when empty), or nil.
private func withOptionalBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
    guard let bytes else { return body(nil) }
    return bytes.withUnsafeBytes { body(nonNull($0)) }
}
