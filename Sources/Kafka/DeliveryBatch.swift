import CRdKafka
import CRdKafkaShim

/// Delivery reports of one `send` call, filled in as librdkafka reports each record.
struct DeliveryBatch {
    private(set) var reports: [DeliveryReport]
    private var settled: [Bool]
    private(set) var pending: Int
    let generation: UInt32
    /// After the deadline: purge reports become timeout errors.
    var purging = false
    private var errors: [Int32: KafkaError] = [:]

    /// What a record that is never settled reports; `settled` tells it apart from a real outcome.
    static let unreported = KafkaError.timedOut("not acknowledged before the deadline; no report from librdkafka")
    /// What a record reports when its call gives up while other calls are in flight: the records
    /// are not purged (a purge is producer-wide), so the broker may still write them later.
    static let abandoned = KafkaError.timedOut(
        "not acknowledged before the deadline (left in flight, not purged, as other calls were sending: the broker may still write it)")

    init(count: Int, generation: UInt32) {
        // One boxed outcome shared by every report until it is settled (copies only retain it).
        let unsettled = DeliveryReport.Outcome.failed(Self.unreported)
        reports = (0..<count).map { DeliveryReport(index: $0, outcome: unsettled) }
        settled = Array(repeating: false, count: count)
        pending = count
        self.generation = generation
    }

    /// The `msg_opaque` for record `index`: generation and index, never NULL (generation starts at 1).
    static func opaque(generation: UInt32, index: Int) -> UnsafeMutableRawPointer? {
        UnsafeMutableRawPointer(bitPattern: UInt(generation) << 32 | UInt(truncatingIfNeeded: index) & 0xFFFF_FFFF)
    }

    mutating func fail(_ index: Int, _ error: KafkaError) {
        guard !settled[index] else { return }
        settled[index] = true
        pending -= 1
        reports[index].outcome = .failed(error)
    }

    mutating func failPending(_ error: KafkaError) {
        for index in settled.indices where !settled[index] { fail(index, error) }
    }

    /// The generation a report's `msg_opaque` carries (see `opaque(generation:index:)`).
    static func generation(of report: cshim_delivery_t) -> UInt32 {
        UInt32(truncatingIfNeeded: UInt(bitPattern: report.opaque) >> 32)
    }

    mutating func record(_ reports: UnsafeBufferPointer<cshim_delivery_t>) {
        for report in reports { record(report) }
    }

    private mutating func record(_ report: cshim_delivery_t) {
        let index = Int(UInt(bitPattern: report.opaque) & 0xFFFF_FFFF)
        guard Self.generation(of: report) == generation, index < settled.count, !settled[index] else { return }
        settled[index] = true
        pending -= 1
        let code = rd_kafka_resp_err_t(rawValue: report.error)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            reports[index].outcome = .failed(error(for: code))
            return
        }
        reports[index].outcome = .acknowledged(.init(
            partition: report.partition, offset: report.offset, timestampMs: report.timestamp >= 0 ? report.timestamp : nil))
    }

    private mutating func error(for code: rd_kafka_resp_err_t) -> KafkaError {
        if let cached = errors[code.rawValue] { return cached }
        let error: KafkaError
        switch code {
        case RD_KAFKA_RESP_ERR__PURGE_QUEUE where purging:
            error = .timedOut("not acknowledged before the deadline (purged before it was sent)")
        case RD_KAFKA_RESP_ERR__PURGE_INFLIGHT where purging:
            error = .timedOut("not acknowledged before the deadline (purged in flight: the broker may still have written it)")
        default:
            error = KafkaError(code: code)
        }
        errors[code.rawValue] = error
        return error
    }
}
