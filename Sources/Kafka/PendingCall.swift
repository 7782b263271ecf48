import CRdKafka

/// One `send` in flight: its reports, filled in by whichever thread collects them, and its place
/// among the calls waiting to be produced (all under the router's lock).
final class PendingCall: @unchecked Sendable {
    /// Where the call is on its way to librdkafka.
    enum Admission {
        /// Registered; not yet produced or queued.
        case registered
        /// Waiting for room: a group in flight to end.
        case queued
        /// Produces the records of `members` (itself first) for them.
        case leading([PendingCall])
        /// In a group another call leads: its records are being produced by that call's thread.
        case taken
        /// Its records are in librdkafka (or failed before they got there).
        case produced
    }

    var batch: DeliveryBatch
    var generation: UInt32 { batch.generation }
    var admission = Admission.registered
    /// Set while queued or taken: how its records are produced, by whichever thread leads its group.
    var job: ProduceJob?
    /// Admitted to go out (its unsettled records count as in flight in `ProduceQueue`).
    var isAdmitted = false
    /// Waiting for its reports while another call polls: woken alone when they are all in, or
    /// when the poller role is free (no herd of waiters woken by each report).
    var isWaiting = false
    /// Made only when the call waits (never for a call alone in flight).
    var wakeup: Condition?

    init(count: Int, generation: UInt32) {
        batch = DeliveryBatch(count: count, generation: generation)
    }

    var count: Int { batch.reports.count }

    /// Its wakeup condition, made on first use.
    var condition: Condition {
        if let wakeup { return wakeup }
        let made = Condition()
        wakeup = made
        return made
    }
}

/// How to produce one call's records; held by the router while the call is queued, and used by
/// whichever thread leads the call's group. The closure may point into the calling thread's
/// frame: that thread waits until the job is produced.
struct ProduceJob {
    let call: PendingCall
    let topic: OpaquePointer
    /// The acknowledgement deadline of the call: past it, records not yet produced fail as not sent.
    let deadline: ContinuousClock.Instant
    /// Hands records `range` to librdkafka, tagged with the call's generation; a record librdkafka
    /// refuses for good goes to the last argument with its error. Stops early only at a full local queue.
    let produceRecords: (_ range: Range<Int>, _ topic: OpaquePointer, _ generation: UInt32,
                         _ failed: (Int, rd_kafka_resp_err_t) -> Void) -> ProducedRange
}

/// How far producing a range of a call's records got.
struct ProducedRange {
    /// The first record not handed to librdkafka: the range's end, unless the queue was full.
    var next: Int
    /// `RD_KAFKA_RESP_ERR__QUEUE_FULL` when the local queue had no room for record `next`.
    var stop: rd_kafka_resp_err_t
}
