import CRdKafka
import CRdKafkaShim
import Logging

/// One native producer and its delivery-report queue.
///
/// `send` may run on several threads at once (concurrent runtime loops): librdkafka's produce,
/// flush and queue calls are thread-safe, and each call's reports are kept apart by `deliveries`.
final class ProducerSession: @unchecked Sendable {
    let client: NativeClient
    private let reportQueue: OpaquePointer
    private let logger: Logger
    /// Tags each call's messages so a report reaches its own call, and one that arrives after its
    /// call gave up is ignored.
    private let deliveries = DeliveryRouter()

    private static let closeTimeoutMs: Int32 = 2000
    /// The end of a call's time kept for purging what is still unacknowledged and collecting the
    /// purge reports, so `send` returns by its deadline even when brokers are down.
    private static let purgeReserve: Duration = .milliseconds(200)
    private static let flushSliceMs: Int32 = 1

    init(configuration: KafkaConfiguration, logger: Logger) throws(KafkaError) {
        let native = try configuration.makeNativeConfiguration(role: .producer)
        if let conf = native.pointer {
            rd_kafka_conf_set_events(conf, Int32(RD_KAFKA_EVENT_DR | RD_KAFKA_EVENT_ERROR))
        }
        let client = try NativeClient(type: RD_KAFKA_PRODUCER, configuration: native, logger: logger)
        guard let queue = rd_kafka_queue_get_main(client.handle) else {
            throw KafkaError(code: RD_KAFKA_RESP_ERR__FAIL, message: "librdkafka returned no main queue")
        }
        self.client = client
        self.reportQueue = queue
        self.logger = logger
    }

    deinit {
        if rd_kafka_flush(client.handle, Self.closeTimeoutMs) != RD_KAFKA_RESP_ERR_NO_ERROR {
            logger.warning("Kafka producer closed with records still undelivered; purging them")
            rd_kafka_purge(client.handle, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
        }
        while let event = rd_kafka_queue_poll(reportQueue, 0) { rd_kafka_event_destroy(event) }
        rd_kafka_queue_destroy(reportQueue)
        // `client` is released next, which destroys the handle.
    }

    func send(topic: String, records: [OutgoingRecord], deadline: ContinuousClock.Instant) -> [DeliveryReport] {
        guard !records.isEmpty else { return [] }
        let batch = deliveries.open(count: records.count)
        guard let topicHandle = rd_kafka_topic_new(client.handle, topic, nil) else {
            let error = KafkaError(code: rd_kafka_last_error(), message: "invalid topic name '\(topic)'")
            for index in records.indices { batch.fail(index, error) }
            return batch.close()
        }
        defer { rd_kafka_topic_destroy(topicHandle) }
        let acknowledgementDeadline = deadline - Self.purgeReserve

        var fields = ContiguousArray(repeating: rd_kafka_vu_t(), count: 7)
        var index = 0
        while index < records.count {
            let code = produce(records[index], index: index, generation: batch.generation, topic: topicHandle, fields: &fields)
            switch code {
            case RD_KAFKA_RESP_ERR_NO_ERROR:
                index += 1
            case RD_KAFKA_RESP_ERR__QUEUE_FULL where !acknowledgementDeadline.hasPassed:
                serveReports(timeoutMs: min(100, acknowledgementDeadline.remainingMilliseconds()))
            case RD_KAFKA_RESP_ERR__QUEUE_FULL:
                let error = KafkaError.timedOut("not sent before the deadline: the local producer queue stayed full")
                for remaining in index..<records.count { batch.fail(remaining, error) }
                index = records.count
            default:
                batch.fail(index, KafkaError(code: code))
                index += 1
            }
        }

        while batch.pending > 0 && !acknowledgementDeadline.hasPassed {
            // While flushing, librdkafka sends what is queued at once instead of after `linger.ms`:
            // the caller waits for every acknowledgement, so lingering would only add latency.
            // In event mode flush also waits for the unread reports, hence the short slices.
            _ = rd_kafka_flush(client.handle, min(Self.flushSliceMs, acknowledgementDeadline.remainingMilliseconds()))
            serveReports(timeoutMs: 0)
        }
        if batch.pending > 0 {
            giveUp(on: batch, by: deadline)
        }
        return batch.close()
    }

    /// Purges what is still unacknowledged and collects the purge reports until `deadline`.
    ///
    /// librdkafka purges the whole handle: records of concurrent calls still queued are purged too
    /// and reported to those calls as failed (not written), never acknowledged and then lost.
    private func giveUp(on batch: DeliveryTicket, by deadline: ContinuousClock.Instant) {
        logger.warning("Kafka delivery deadline passed; purging unacknowledged records", metadata: ["records": "\(batch.pending)"])
        batch.startPurging()
        rd_kafka_purge(client.handle, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
        repeat {
            serveReports(timeoutMs: min(10, deadline.remainingMilliseconds()))
        } while batch.pending > 0 && !deadline.hasPassed
        batch.failPending(KafkaError.timedOut("not acknowledged before the deadline; no report from librdkafka"))
    }

    private func produce(
        _ record: OutgoingRecord, index: Int, generation: UInt32, topic: OpaquePointer,
        fields: inout ContiguousArray<rd_kafka_vu_t>
    ) -> rd_kafka_resp_err_t {
        withOptionalBytes(record.key) { key in
            withOptionalBytes(record.value) { value in
                var count = 0
                func append(_ type: rd_kafka_vtype_t, _ fill: (inout rd_kafka_vu_t) -> Void) {
                    fields[count].vtype = type
                    fill(&fields[count])
                    count += 1
                }
                append(RD_KAFKA_VTYPE_RKT) { $0.u.rkt = topic }
                append(RD_KAFKA_VTYPE_MSGFLAGS) { $0.u.i = RD_KAFKA_MSG_F_COPY }
                append(RD_KAFKA_VTYPE_OPAQUE) { $0.u.ptr = DeliveryBatch.opaque(generation: generation, index: index) }
                append(RD_KAFKA_VTYPE_PARTITION) { $0.u.i32 = record.partition ?? cshim_rd_kafka_partition_unassigned }
                if let key {
                    append(RD_KAFKA_VTYPE_KEY) { $0.u.mem = .init(ptr: UnsafeMutableRawPointer(mutating: key.baseAddress), size: key.count) }
                }
                if let value {
                    append(RD_KAFKA_VTYPE_VALUE) { $0.u.mem = .init(ptr: UnsafeMutableRawPointer(mutating: value.baseAddress), size: value.count) }
                }
                let headers = makeHeaders(record.headers)
                if let headers {
                    append(RD_KAFKA_VTYPE_HEADERS) { $0.u.headers = headers }
                }
                let error = fields.withUnsafeBufferPointer { rd_kafka_produceva(client.handle, $0.baseAddress, count) }
                guard let error else { return RD_KAFKA_RESP_ERR_NO_ERROR }
                // Headers passed with RD_KAFKA_VTYPE_HEADERS stay ours when producing fails.
                if let headers { rd_kafka_headers_destroy(headers) }
                let code = rd_kafka_error_code(error)
                rd_kafka_error_destroy(error)
                return code
            }
        }
    }

    private func makeHeaders(_ headers: [(String, [UInt8])]) -> OpaquePointer? {
        guard !headers.isEmpty, let list = rd_kafka_headers_new(headers.count) else { return nil }
        for (name, value) in headers {
            let nameBytes = name.utf8CString
            nameBytes.withUnsafeBufferPointer { namePointer in
                value.withUnsafeBytes { valuePointer in
                    let valueAddress = valuePointer.baseAddress ?? emptyBytes
                    _ = rd_kafka_header_add(list, namePointer.baseAddress, nameBytes.count - 1, valueAddress, valuePointer.count)
                }
            }
        }
        return list
    }

    /// Waits up to `timeoutMs` for the next event and drains what is queued, handing each report
    /// to the call that produced its record (this one or a concurrent one).
    private func serveReports(timeoutMs: Int32) {
        var wait = timeoutMs
        while let event = rd_kafka_queue_poll(reportQueue, wait) {
            defer { rd_kafka_event_destroy(event) }
            wait = 0
            switch rd_kafka_event_type(event) {
            case Int32(RD_KAFKA_EVENT_DR):
                deliveries.route(reportsOf: event)
            case Int32(RD_KAFKA_EVENT_ERROR):
                let code = rd_kafka_event_error(event)
                let reason = rd_kafka_event_error_string(event).map { String(cString: $0) } ?? ""
                let fatal = rd_kafka_event_error_is_fatal(event) != 0
                logger.log(level: fatal ? .error : .warning, "Kafka producer error", metadata: [
                    "code": .string(String(cString: rd_kafka_err2name(code))), "reason": .string(reason),
                ])
            default:
                break
            }
        }
    }
}

private var emptyBytes: UnsafeRawPointer { cshim_rd_kafka_empty_bytes() }

/// Calls `body` with the bytes of `bytes` (a non-null pointer even when empty), or nil.
private func withOptionalBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
    guard let bytes else { return body(nil) }
    return bytes.withUnsafeBytes { buffer in
        if buffer.baseAddress != nil { return body(buffer) }
        return body(UnsafeRawBufferPointer(start: emptyBytes, count: 0))
    }
}
