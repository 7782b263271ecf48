import CRdKafka
import CRdKafkaShim
import Logging

/// One native producer. Calls may use it from several threads at once: each registers with the
/// router, has its records produced without a session-wide lock (at once, or with the calls
/// queued alongside it as one group, see `ProduceQueue`), then waits while the router hands each
/// delivery report to the call that sent the record (see `DeliveryRouter`).
final class ProducerSession: @unchecked Sendable {
    let client: NativeClient
    private let logger: Logger
    private let router: DeliveryRouter

    private static let closeTimeoutMs: Int32 = 2000
    /// The end of a call's time kept for purging what is still unacknowledged and collecting the
    /// purge reports, so `send` returns by its deadline even when brokers are down.
    private static let purgeReserve: Duration = .milliseconds(200)
    /// While producing many records, reports already in are collected every so often, which frees
    /// librdkafka's copies of delivered records early.
    static let pollEvery = 1024
    /// A call keeps at most about this many of its records unacknowledged in librdkafka (each a copy
    /// plus some 200 bytes of bookkeeping until its report is collected), so a 50,000-record event
    /// never holds all of them. Each time the window is full the call waits for a produce request's
    /// acknowledgement: at 8,192 a 40,000-record event waited five times, some 10 ms in all; at
    /// 12,288 three times, for about 1 MiB more at the 50,000-record peak. 16,384 saved another
    /// 3 ms but took the 100,000-record `generate` past a third of the Python peer's peak RSS
    /// (docs/memory.md).
    static let maximumUnacknowledged = 12_288

    init(configuration: KafkaConfiguration, logger: Logger) throws(KafkaError) {
        let native = try configuration.makeNativeConfiguration(role: .producer)
        if let conf = native.pointer {
            cshim_rd_kafka_conf_collect_deliveries(conf)
        }
        self.client = try NativeClient(type: RD_KAFKA_PRODUCER, configuration: native, logger: logger)
        self.logger = logger
        self.router = DeliveryRouter(handle: client.handle, logger: logger)
    }

    /// Only once no call is in flight (`KafkaProducer` holds a session for each call).
    deinit {
        if rd_kafka_flush(client.handle, Self.closeTimeoutMs) != RD_KAFKA_RESP_ERR_NO_ERROR {
            logger.warning("Kafka producer closed with records still undelivered; purging them")
            rd_kafka_purge(client.handle, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
            rd_kafka_poll(client.handle, 0)
        }
        router.destroyTopicHandles()
        // `client` is released next, which destroys the handle.
    }

    var recordsInFlight: Int { router.recordsInFlight }

    func send(topic: String, records: [OutgoingRecord], deadline: ContinuousClock.Instant) -> [DeliveryReport] {
        send(topic: topic, count: records.count, deadline: deadline) { range, topicHandle, generation, failed in
            RecordRuns.produceOneByOne(range, generation: generation, failed: failed) { index, opaque in
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
    }

    func send(topic: String, records: some ProducibleRecords, deadline: ContinuousClock.Instant) -> [DeliveryReport] {
        let messages = UnsafeMutableBufferPointer<rd_kafka_message_t>.allocate(capacity: min(records.count, Self.pollEvery))
        defer { messages.deallocate() }
        return send(topic: topic, count: records.count, deadline: deadline) { range, topicHandle, generation, failed in
            RecordRuns.produce(range, of: records, topic: topicHandle, generation: generation, messages: messages, failed: failed) { index, opaque in
                let record = records.record(index)
                let headers = Self.makeHeaders(count: record.headerCount) { number, add in
                    let header = records.header(number, ofRecord: index)
                    add(header.name, header.value)
                }
                return produce(key: nonNull(record.key), value: nonNull(record.value), partition: record.partition,
                               headers: headers, topic: topicHandle, opaque: opaque)
            }
        }
    }

    private func send(
        topic: String, count: Int, deadline: ContinuousClock.Instant,
        produceRecords: (Range<Int>, OpaquePointer, UInt32, (Int, rd_kafka_resp_err_t) -> Void) -> ProducedRange
    ) -> [DeliveryReport] {
        guard count > 0 else { return [] }
        // Registered before its first record: another call's thread may collect its reports.
        let call = router.begin(count: count)
        guard let topicHandle = router.topicHandle(topic) else {
            let error = KafkaError(code: rd_kafka_last_error(), message: "invalid topic name '\(topic)'")
            router.fail(call, 0..<count, error)
            return router.finish(call, by: deadline)
        }
        let acknowledgementDeadline = deadline - Self.purgeReserve
        // The closure stays with the router only until the records are produced, which `produce`
        // waits for, whichever thread produces them.
        withoutActuallyEscaping(produceRecords) { produceRecords in
            let job = ProduceJob(call: call, topic: topicHandle, deadline: acknowledgementDeadline, produceRecords: produceRecords)
            router.produce(job)
        }
        router.wait(for: call, until: acknowledgementDeadline)
        return router.finish(call, by: deadline)
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
}

private var emptyName: UnsafePointer<CChar> { emptyBytes.assumingMemoryBound(to: CChar.self) }

/// Calls `body` with the bytes of `bytes` (a non-null pointer even when empty), or nil.
private func withOptionalBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
    guard let bytes else { return body(nil) }
    return bytes.withUnsafeBytes { body(nonNull($0)) }
}
