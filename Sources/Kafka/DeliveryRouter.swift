import CRdKafka
import CRdKafkaShim
import Logging

/// Hands delivery reports to the calls in flight on one producer handle, so concurrent calls
/// produce and wait for their acknowledgements in parallel.
///
/// Reports come through a callback on the thread that polls (`rd_kafka_flush`/`rd_kafka_poll`),
/// into that thread's sink. One waiting call at a time is the poller: it flushes, then gives each
/// collected report to the call its generation tag names and wakes the others, which wait on a
/// condition of its own; the role then goes to a call that still waits. A call alone in flight flushes
/// until the queue is empty, as a single call always did (the fastest path). With others in
/// flight the callback yields after a report, so the flush returns and every report reaches its
/// call as soon as it is in: a flush would otherwise wait for everyone's records.
final class DeliveryRouter: @unchecked Sendable {
    private let handle: OpaquePointer
    private let logger: Logger
    private let lock = ConditionLock()
    /// Used only by the thread holding the poller role.
    private let sink: UnsafeMutablePointer<cshim_delivery_sink_t>

    // Under `lock`:
    private var calls: [UInt32: PendingCall] = [:]
    /// Records of calls that gave up without purging, by generation: their reports are still due,
    /// so a flush, which waits for every record, would wait for them too.
    private var abandoned: [UInt32: Int] = [:]
    private var generation: UInt32 = 0
    private var polling = false
    private var purging = false
    /// Signalled when a purge ends (calls wait to begin) and after each hand-out of reports
    /// (calls wait for room in the local queue).
    private let purgeEnded = Condition()
    private let reportsHandedOut = Condition()
    private var topics: [String: OpaquePointer] = [:]

    private static let maximumCachedTopics = 64
    /// Groups beyond this many wait, their calls queued, and the next group takes every call
    /// queued meanwhile. With idempotence librdkafka 2.0.2 keeps at most 5 requests in flight per
    /// partition, and while records wait in its queue for one of those slots its broker thread
    /// spins; a group of small calls makes one request per partition, so four stay under that.
    static let maximumGroupsInFlight = 4
    /// A group takes queued calls while their records add up to at most this many (the first
    /// call always goes, however large): about what one ProduceRequest per partition carries.
    static let maximumGroupRecords = 1024
    /// What a record reports when its call's deadline passes before it had room to be produced.
    static let notSent = KafkaError.timedOut(
        "not sent before the deadline: the producer had the most requests in flight it allows (the broker never had it)")
    private var groupsInFlight = 0
    /// Calls waiting for a group in flight to end, oldest first.
    private var queue: [PendingCall] = []

    init(handle: OpaquePointer, logger: Logger) {
        self.handle = handle
        self.logger = logger
        sink = .allocate(capacity: 1)
        sink.initialize(to: cshim_delivery_sink_t())
    }

    deinit {
        cshim_delivery_sink_release(sink)
        sink.deallocate()
    }

    /// Registers a call of `count` records: from now on its reports reach it, whoever collects them.
    func begin(count: Int) -> PendingCall {
        lock.lock()
        defer { lock.unlock() }
        // A purge is handle-wide: a record produced during it would be purged too.
        while purging { lock.wait(on: purgeEnded, until: .now + .seconds(1)) }
        repeat {
            generation = generation == .max ? 1 : generation + 1
        } while calls[generation] != nil || abandoned[generation] != nil
        let call = PendingCall(count: count, generation: generation)
        calls[generation] = call
        // A poller flushing alone would wait for this call's records too: make it stop at the next report.
        if polling { cshim_delivery_sink_set_yield(sink, 1) }
        return call
    }

    /// Gets `job`'s records into librdkafka: at once, by `produceRecords` on this thread, when
    /// fewer than `maximumGroupsInFlight` groups are in flight and no call is queued; otherwise
    /// queued until a group ends, when the oldest queued call produces every queued call's records
    /// as the next group. Returns once the records are produced, by whichever thread (or failed).
    func produce(_ job: ProduceJob, using produceRecords: (ProduceJob) -> Void) {
        let call = job.call
        lock.lock()
        if groupsInFlight < Self.maximumGroupsInFlight && queue.isEmpty {
            groupsInFlight += 1
            call.group = ProduceGroup(members: [call])
            call.admission = .produced
            lock.unlock()
            produceRecords(job)
            return
        }
        call.job = job
        call.admission = .queued
        queue.append(call)
        defer { lock.unlock() }
        while true {
            switch call.admission {
            case .queued where job.deadline.hasPassed:
                queue.removeAll { $0 === call }
                call.job = nil
                call.admission = .produced
                call.batch.failPending(Self.notSent)
                return
            case .queued:
                lock.wait(on: call.condition, until: job.deadline)
            case .taken:
                // The leader is producing this call's records: the job must outlive that.
                lock.wait(on: call.condition, until: .now + .seconds(1))
            case .leading(let members):
                lock.unlock()
                for member in members {
                    if let memberJob = member.job { produceRecords(memberJob) }
                }
                lock.lock()
                for member in members {
                    member.job = nil
                    member.admission = .produced
                    if member !== call { member.condition.signal() }
                }
                return
            case .registered, .produced:
                return
            }
        }
    }

    /// The topic's handle, kept across calls: a warm call looks nothing up.
    func topicHandle(_ name: String) -> OpaquePointer? {
        lock.withLock {
            if let cached = topics[name] { return cached }
            // Calls in flight may be producing with cached handles: evict only when alone.
            if topics.count >= Self.maximumCachedTopics && calls.count <= 1 { destroyTopicHandles() }
            guard let created = rd_kafka_topic_new(handle, name, nil) else { return nil }
            topics[name] = created
            return created
        }
    }

    /// Only when no call can be in flight (the producer is closing), or with the lock held and alone.
    func destroyTopicHandles() {
        for topic in topics.values { rd_kafka_topic_destroy(topic) }
        topics.removeAll()
    }

    /// How many of `call`'s records are settled (reported or failed) so far.
    func reported(_ call: PendingCall) -> Int {
        lock.withLock { call.batch.reports.count - call.batch.pending }
    }

    func fail(_ call: PendingCall, _ indices: Range<Int>, _ error: KafkaError) {
        lock.withLock {
            for index in indices { call.batch.fail(index, error) }
            endGroupIfSettled(call)
        }
    }

    /// While producing: collects the reports that are in, waiting up to `timeoutMs` for one (room
    /// in the local queue). When another call is the poller, waits for it instead.
    func serve(_ call: PendingCall, timeoutMs: Int32) {
        lock.lock()
        defer { lock.unlock() }
        guard !polling else {
            if timeoutMs > 0 { lock.wait(on: reportsHandedOut, until: .now + .milliseconds(timeoutMs)) }
            return
        }
        poll(yielding: false) { rd_kafka_poll(handle, timeoutMs) }
        handPollingOn()
    }

    /// Returns when every record of `call` is reported or `deadline` has passed.
    func wait(for call: PendingCall, until deadline: ContinuousClock.Instant) {
        lock.lock()
        defer { lock.unlock() }
        call.isWaiting = true
        defer {
            call.isWaiting = false
            handPollingOn()
        }
        while call.batch.pending > 0 && !deadline.hasPassed {
            if polling {
                let wakeup = call.wakeup ?? Condition()
                call.wakeup = wakeup
                lock.wait(on: wakeup, until: deadline)
                continue
            }
            // Flushing sends what is queued at once instead of after `linger.ms` (callers wait for
            // every acknowledgement, so lingering would only add latency).
            let alone = calls.count == 1 && abandoned.isEmpty
            poll(yielding: !alone) { _ = rd_kafka_flush(handle, deadline.remainingMilliseconds()) }
        }
    }

    /// Ends `call` and returns its reports. Records still unreported are purged when no other call
    /// is in flight (`rd_kafka_purge` is handle-wide), the purge reports collected until
    /// `deadline`; otherwise they are reported timed out as they are, and their late reports ignored.
    func finish(_ call: PendingCall, by deadline: ContinuousClock.Instant) -> [DeliveryReport] {
        lock.lock()
        defer { lock.unlock() }
        if call.batch.pending > 0 {
            if calls.count == 1 && !polling {
                purge(for: call, by: deadline)
            } else {
                logger.warning("Kafka delivery deadline passed; other calls in flight, so the unacknowledged records are not purged",
                               metadata: ["records": "\(call.batch.pending)"])
                abandoned[call.generation] = call.batch.pending
                call.batch.failPending(DeliveryBatch.abandoned)
            }
        }
        calls[call.generation] = nil
        endGroupIfSettled(call)
        return call.batch.reports
    }

    /// With the lock held and `call` the only call in flight.
    private func purge(for call: PendingCall, by deadline: ContinuousClock.Instant) {
        logger.warning("Kafka delivery deadline passed; purging unacknowledged records", metadata: ["records": "\(call.batch.pending)"])
        call.batch.purging = true
        purging = true
        rd_kafka_purge(handle, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
        repeat {
            poll(yielding: false) { rd_kafka_poll(handle, min(10, deadline.remainingMilliseconds())) }
        } while call.batch.pending > 0 && !deadline.hasPassed
        call.batch.failPending(DeliveryBatch.unreported)
        purging = false
        purgeEnded.broadcast()
    }

    /// With the lock held, once a poller has left: wakes a call still waiting for reports, which
    /// takes the role.
    private func handPollingOn() {
        guard !polling else { return }
        for call in calls.values where call.isWaiting && call.batch.pending > 0 {
            call.wakeup?.signal()
            return
        }
    }

    /// Takes the poller role for `operation`, which serves reports into the sink, then hands them
    /// out and wakes the waiting calls. Called and returns with the lock held; runs `operation`
    /// without it.
    private func poll(yielding: Bool, _ operation: () -> Void) {
        polling = true
        cshim_delivery_sink_set_yield(sink, yielding ? 1 : 0)
        lock.unlock()
        sink.pointee.yielded = 0
        cshim_delivery_sink_activate(sink)
        operation()
        if sink.pointee.yielded != 0 {
            // It stopped at one report, maybe amid a response's: take the rest that are in.
            cshim_delivery_sink_set_yield(sink, 0)
            rd_kafka_poll(handle, 0)
        }
        cshim_delivery_sink_activate(nil)
        lock.lock()
        dispatch()
        polling = false
        reportsHandedOut.broadcast()
    }

    private func record(_ item: cshim_delivery_t, for call: PendingCall) {
        call.batch.record(item)
        guard call.batch.pending == 0 else { return }
        if call.isWaiting { call.wakeup?.signal() }
        endGroupIfSettled(call)
    }

    /// With the lock held: once every record of `call`'s group is settled, the group ends, and
    /// the calls queued meanwhile go out as the next groups.
    private func endGroupIfSettled(_ call: PendingCall) {
        guard let group = call.group, !group.members.isEmpty, group.isSettled else { return }
        group.members = []
        groupsInFlight -= 1
        startQueuedGroups()
    }

    /// With the lock held: while there is room, makes the oldest queued calls (up to
    /// `maximumGroupRecords` records, the first whatever its size) a group and wakes the first,
    /// which produces them all.
    private func startQueuedGroups() {
        while groupsInFlight < Self.maximumGroupsInFlight, let leader = queue.first {
            var members = [leader]
            var records = leader.count
            var taken = 1
            while taken < queue.count && records + queue[taken].count <= Self.maximumGroupRecords {
                members.append(queue[taken])
                records += queue[taken].count
                taken += 1
            }
            queue.removeFirst(taken)
            let group = ProduceGroup(members: members)
            for member in members {
                member.group = group
                member.admission = .taken
            }
            leader.admission = .leading(members)
            groupsInFlight += 1
            leader.condition.signal()
        }
    }

    private func dispatch() {
        let collected = sink.pointee
        if let items = collected.items {
            var last: PendingCall?
            for item in UnsafeBufferPointer(start: items, count: collected.count) {
                let tag = UInt32(truncatingIfNeeded: UInt(bitPattern: item.opaque) >> 32)
                if let call = last, call.generation == tag {
                    record(item, for: call)
                } else if let call = calls[tag] {
                    record(item, for: call)
                    last = call
                } else if let left = abandoned[tag] {
                    // A call that gave up: its report only ends the wait for it.
                    abandoned[tag] = left > 1 ? left - 1 : nil
                }
            }
        }
        sink.pointee.count = 0
        if collected.dropped > 0 {
            logger.error("Kafka delivery reports lost for lack of memory", metadata: ["reports": "\(collected.dropped)"])
            sink.pointee.dropped = 0
        }
        // A large batch's report storage is not kept for the small calls after it.
        if collected.capacity > 65536 { cshim_delivery_sink_release(sink) }
    }
}
