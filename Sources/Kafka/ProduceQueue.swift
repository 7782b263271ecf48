/// Which calls may hand their records to librdkafka now, and which wait to go out together
/// (group commit). Used only under the `DeliveryRouter`'s lock.
///
/// With idempotence, librdkafka 2.0.2 creates a ProduceRequest for a partition only while fewer
/// than 5 of its *records* are in flight (`rktp_msgs_inflight`, counted in records, is held to
/// `RD_KAFKA_IDEMP_MAX_INFLIGHT`, 5, as if it counted requests), and while records wait in its
/// queue for that, the partition's broker thread spins: it schedules its next wakeup for now.
/// A request may carry any number of records, though. So a call goes out at once while fewer than
/// `window` records are in flight and no call is queued; otherwise it queues, and once the records
/// in flight drop below `window` again, every call queued meanwhile goes out as one group,
/// produced in one burst by one thread: each partition's next request carries all of them, and
/// none wait in librdkafka's queue for a slot.
struct ProduceQueue {
    /// Records in flight below which another request can leave (librdkafka's idempotence window).
    /// Counted over all partitions, as the partitioner places keyed records inside librdkafka.
    static let window = 5
    /// A group takes queued calls while their records add up to at most this many: well within
    /// what one ProduceRequest per partition carries.
    static let maximumGroupRecords = 1024

    /// Records of admitted calls not yet settled (acknowledged, failed or given up).
    private(set) var recordsInFlight = 0
    /// Calls waiting for room, oldest first.
    private var waiting: [PendingCall] = []

    /// Lets `call` go out at once, when there is room and no call waits. A call of more than
    /// `maximumGroupRecords` records always does, uncounted: its own records fill librdkafka's
    /// queue anyway, and small calls meanwhile go along with them rather than wait for it to end.
    mutating func admit(_ call: PendingCall) -> Bool {
        if call.count > Self.maximumGroupRecords {
            call.admission = .produced
            return true
        }
        guard recordsInFlight < Self.window && waiting.isEmpty else { return false }
        recordsInFlight += call.count
        call.isAdmitted = true
        call.admission = .produced
        return true
    }

    mutating func enqueue(_ call: PendingCall) {
        call.admission = .queued
        waiting.append(call)
    }

    /// Takes a queued call out (its deadline passed before it had room).
    mutating func withdraw(_ call: PendingCall) {
        waiting.removeAll { $0 === call }
        call.job = nil
        call.admission = .produced
    }

    /// `count` records of `call` were settled; true when that may let queued calls go.
    mutating func settled(_ count: Int, of call: PendingCall) -> Bool {
        guard call.isAdmitted, count > 0 else { return false }
        recordsInFlight -= count
        return recordsInFlight < Self.window && !waiting.isEmpty
    }

    /// While there is room, makes the oldest queued calls a group (up to `maximumGroupRecords`
    /// records) and marks them taken. Returns the groups for
    /// the caller to produce, each in one burst.
    mutating func startGroups() -> [[PendingCall]] {
        var started: [[PendingCall]] = []
        while recordsInFlight < Self.window, let first = waiting.first {
            var members = [first]
            var records = first.count
            while members.count < waiting.count && records + waiting[members.count].count <= Self.maximumGroupRecords {
                records += waiting[members.count].count
                members.append(waiting[members.count])
            }
            waiting.removeFirst(members.count)
            recordsInFlight += records
            for member in members {
                member.isAdmitted = true
                member.admission = .taken
            }
            started.append(members)
        }
        return started
    }
}
