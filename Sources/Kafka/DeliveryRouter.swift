import CRdKafka
import CRdKafkaShim
import Logging

/// Hands delivery reports to the calls in flight on one producer handle, so concurrent calls
/// produce and wait for their acknowledgements in parallel, and gets their records to librdkafka
/// in groups (`ProduceQueue`).
///
/// Reports come through a callback on the thread that polls (`rd_kafka_flush`/`rd_kafka_poll`),
/// into that thread's sink. One waiting call at a time is the poller: it flushes, then gives each
/// collected report to the call its generation tag names and wakes the others, which wait on a
/// condition of its own; the role then goes to a call that still waits. A call alone in flight flushes
/// until the queue is empty, as a single call always did (the fastest path). With others in
/// flight the callback yields after a report, so the flush returns and every report reaches its
/// call as soon as it is in: a flush would otherwise wait for everyone's records. Reports that end
/// a group make room for the calls queued meanwhile: the poller produces all of their records
/// before it flushes again, so none are sent before the burst is complete (outside a flush,
/// `linger.ms` holds them) and the next flush sends them together.
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
    /// What a record reports when its call's deadline passes before it had room to be produced.
    static let notSent = KafkaError.timedOut(
        "not sent before the deadline: it waited behind other calls' records in flight (the broker never had it)")
    private var queue = ProduceQueue()
    /// Groups the poller produces before it flushes again.
    private var readyGroups: [[PendingCall]] = []

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

    /// Gets `job`'s records into librdkafka: at once, on this thread, when `ProduceQueue` has room;
    /// otherwise queued until a group ends, when they go out with every call queued meanwhile,
    /// produced by the poller (or by this thread when it leads its group). Returns once they are
    /// produced, by whichever thread, or failed. The job is not used after this returns.
    func produce(_ job: ProduceJob) {
        let call = job.call
        lock.lock()
        if queue.admit(call) {
            lock.unlock()
            produceRecords(of: job)
            return
        }
        call.job = job
        queue.enqueue(call)
        defer { lock.unlock() }
        while true {
            switch call.admission {
            case .queued where job.deadline.hasPassed:
                queue.withdraw(call)
                call.batch.failPending(Self.notSent)
                return
            case .queued:
                lock.wait(on: call.condition, until: job.deadline)
            case .taken:
                // Another thread is producing this call's records: the job must outlive that.
                lock.wait(on: call.condition, until: .now + .seconds(1))
            case .leading(let members):
                produceGroups([members])
                return
            case .registered, .produced:
                return
            }
        }
    }

    /// With the lock held (released while producing): produces each group's records in one burst
    /// and lets its calls go on to wait for their reports.
    private func produceGroups(_ groups: [[PendingCall]]) {
        lock.unlock()
        for members in groups {
            for member in members {
                if let job = member.job { produceRecords(of: job) }
            }
        }
        lock.lock()
        for members in groups {
            for member in members {
                member.job = nil
                member.admission = .produced
                member.wakeup?.signal()
            }
        }
    }

    /// With the lock held: `count` more of `call`'s records are settled. When that leaves room,
    /// the calls queued meanwhile go out as a group: produced by the poller before it flushes
    /// again, or, when none polls, by the group's first call.
    private func settled(_ count: Int, of call: PendingCall) {
        guard queue.settled(count, of: call) else { return }
        for members in queue.startGroups() {
            if polling {
                readyGroups.append(members)
            } else {
                members[0].admission = .leading(members)
                members[0].condition.signal()
            }
        }
    }

    /// Hands `job`'s records to librdkafka, on the thread of its call or of the one producing its group.
    private func produceRecords(of job: ProduceJob) {
        let (call, count, deadline) = (job.call, job.call.count, job.deadline)
        guard !deadline.hasPassed else {
            fail(call, 0..<count, Self.notSent)
            return
        }
        var index = 0
        while index < count {
            // Up to the next multiple of `pollEvery`, where reports are collected.
            let end = min(count, (index / ProducerSession.pollEvery + 1) * ProducerSession.pollEvery)
            let produced = job.produceRecords(index..<end, job.topic, call.generation) { failed, code in
                fail(call, failed..<(failed + 1), KafkaError(code: code))
            }
            index = produced.next
            switch produced.stop {
            case RD_KAFKA_RESP_ERR__QUEUE_FULL where !deadline.hasPassed:
                serve(call, timeoutMs: min(100, deadline.remainingMilliseconds()))
            case RD_KAFKA_RESP_ERR__QUEUE_FULL:
                let error = KafkaError.timedOut("not sent before the deadline: the local producer queue stayed full")
                fail(call, index..<count, error)
                index = count
            default:
                guard index % ProducerSession.pollEvery == 0 else { continue }
                serve(call, timeoutMs: 0)
                while index - reported(call) > ProducerSession.maximumUnacknowledged && !deadline.hasPassed {
                    serve(call, timeoutMs: min(100, deadline.remainingMilliseconds()))
                }
            }
        }
    }

    var recordsInFlight: Int { lock.withLock { queue.recordsInFlight } }

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
            let pending = call.batch.pending
            for index in indices { call.batch.fail(index, error) }
            settled(pending - call.batch.pending, of: call)
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
            let produced = poll(yielding: !alone) { _ = rd_kafka_flush(handle, deadline.remainingMilliseconds()) }
            if produced && call.batch.pending == 0 {
                // Done, but the group just produced waits under `linger.ms` until a flush: start
                // one now (a millisecond at most) rather than when the next poller has woken up.
                poll(yielding: true) { _ = rd_kafka_flush(handle, 1) }
            }
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
                // Left in librdkafka, but no longer counted in flight: on a partition whose broker
                // is down they could otherwise hold back every later call until message.timeout.ms.
                abandoned[call.generation] = call.batch.pending
                failPending(call, DeliveryBatch.abandoned)
            }
        }
        calls[call.generation] = nil
        return call.batch.reports
    }

    /// With the lock held.
    private func failPending(_ call: PendingCall, _ error: KafkaError) {
        let pending = call.batch.pending
        call.batch.failPending(error)
        settled(pending, of: call)
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
        failPending(call, DeliveryBatch.unreported)
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
    /// out, wakes the waiting calls and produces the groups that made room for; true when there
    /// were any. Called and returns with the lock held; runs `operation` without it.
    @discardableResult
    private func poll(yielding: Bool, _ operation: () -> Void) -> Bool {
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
        // Produced now, between two flushes: outside a flush `linger.ms` holds them, so the next
        // flush sends each partition's share in one request.
        let produced = !readyGroups.isEmpty
        while !readyGroups.isEmpty {
            let groups = readyGroups
            readyGroups = []
            produceGroups(groups)
        }
        polling = false
        reportsHandedOut.broadcast()
        return produced
    }

    /// Hands `reports`, all of `call`'s, to it: one access to the call's batch per run of reports,
    /// not one per report (with its exclusivity checks, that was a tenth of a large send's cost).
    private func record(_ reports: UnsafeBufferPointer<cshim_delivery_t>, for call: PendingCall) {
        let pending = call.batch.pending
        call.batch.record(reports)
        if call.batch.pending == 0 && call.isWaiting { call.wakeup?.signal() }
        settled(pending - call.batch.pending, of: call)
    }

    private func dispatch() {
        let collected = sink.pointee
        if let items = collected.items {
            let reports = UnsafeBufferPointer(start: items, count: collected.count)
            var start = 0
            // Reports come in runs of one call's records (a produce request's batch): each run goes at once.
            while start < reports.count {
                let tag = DeliveryBatch.generation(of: reports[start])
                var end = start + 1
                while end < reports.count && DeliveryBatch.generation(of: reports[end]) == tag { end += 1 }
                if let call = calls[tag] {
                    record(UnsafeBufferPointer(rebasing: reports[start..<end]), for: call)
                } else if let left = abandoned[tag] {
                    // A call that gave up: its reports only end the wait for it.
                    abandoned[tag] = left > end - start ? left - (end - start) : nil
                }
                start = end
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
