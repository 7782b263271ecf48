import CRdKafka
import CRdKafkaShim
import Logging

/// One native consumer (one group id) and where it stands.
///
/// `@unchecked Sendable`: only ever used under `KafkaConsumer`'s lock, one call at a time.
final class ConsumerSession: @unchecked Sendable {
    private let client: NativeClient
    private let groupID: String?
    private let logger: Logger
    private(set) var lastUsed = ContinuousClock.now
    /// The assignment and, per partition, the offset the consumer will deliver next.
    private var assignedTopic: String?
    private var positions: [Int32: Int64] = [:]
    /// The assignment is paused between calls (see `pauseFetching`).
    private var paused = false

    /// librdkafka can only assign partitions with a group id; without one the wrapper uses this
    /// id and never commits (nor joins), so no group state appears on the cluster.
    static let unmanagedGroupID = "swift-lambda-kafka.no-group"
    private static let minimumCommitTimeoutMs: Int32 = 2000
    /// Messages taken from the queue between two readings of the clock (see `consume`).
    private static let clockEvery = 256

    init(configuration: KafkaConfiguration, groupID: String?, logger: Logger) throws(KafkaError) {
        let native = try configuration.makeNativeConfiguration(role: .consumer(groupID: groupID ?? Self.unmanagedGroupID))
        client = try NativeClient(type: RD_KAFKA_CONSUMER, configuration: native, logger: logger)
        self.groupID = groupID
        self.logger = logger
    }

    deinit {
        let code = rd_kafka_consumer_close(client.handle)
        if code != RD_KAFKA_RESP_ERR_NO_ERROR {
            logger.warning("Kafka consumer did not close cleanly", metadata: ["code": "\(String(cString: rd_kafka_err2name(code)))"])
        }
    }

    /// `lookup` answers metadata and watermark requests: on the consumer's own connections they
    /// would queue behind the fetch long-poll (`fetch.wait.max.ms`), as brokers answer in order.
    func consume(_ request: ConsumeRequest, lookup: NativeClient, accept: (ConsumedRecordView) -> Bool) throws(KafkaError) -> ConsumeResult {
        lastUsed = .now
        let plan: ReadPlan
        do throws(KafkaError) {
            plan = try prepare(request, lookup: lookup)
        } catch {
            forgetAssignment()
            throw error
        }
        var reader = PartitionReader(plan: plan)
        var failure: KafkaError?
        var polled = 0
        while !reader.allAtEnd && reader.returned < request.maxRecords && !reader.stoppedEarly {
            // A message already queued is taken without a wait. The clock (two readings and 128-bit
            // arithmetic, a tenth of a small record's cost) is read first, before each wait and every
            // `clockEvery` messages, so a flood of queued messages still stops at the deadline.
            if polled % Self.clockEvery == 0 && request.deadline.hasPassed { break }
            polled += 1
            var next = rd_kafka_consumer_poll(client.handle, 0)
            if next == nil {
                if request.deadline.hasPassed { break }
                next = rd_kafka_consumer_poll(client.handle, request.deadline.remainingMilliseconds())
            }
            guard let message = next else { continue }
            defer { rd_kafka_message_destroy(message) }
            if let error = reader.handle(message, topic: request.topic, accept: accept) {
                if Self.isPermanent(error) {
                    failure = error
                    break
                }
                logger.warning("Kafka consumer error", metadata: ["error": "\(error)"])
            }
        }
        if let failure {
            guard reader.returned > 0 else {
                forgetAssignment()
                throw failure
            }
            logger.warning("Kafka consumer stopped early on an error", metadata: ["error": "\(failure)"])
        }
        if let rejected = reader.rejected {
            // The consumer moved past the rejected record; put it back in front. If that seek
            // fails the assignment is dropped instead, and the next call assigns afresh from
            // where this one stopped: either way nothing returned is read twice or skipped.
            let offset = reader.next[rejected.partition] ?? rejected.offset
            try? seek(topic: request.topic, offsets: [rejected.partition: offset], deadline: request.deadline)
        }
        positions = reader.next
        pauseFetching()
        if groupID != nil {
            // Only partitions that returned records: nothing is committed for a partition merely looked at.
            let returned = reader.next.filter { plan.start[$0.key] != $0.value }
            if !returned.isEmpty {
                try commit(topic: request.topic, offsets: returned, deadline: request.deadline)
            }
        }
        return ConsumeResult(
            records: [], reachedEnd: reader.allAtEnd, nextOffsets: reader.next,
            stoppedEarly: reader.stoppedEarly)
    }

    /// Finds the partitions, where each starts, and points the consumer there.
    private func prepare(_ request: ConsumeRequest, lookup: NativeClient) throws(KafkaError) -> ReadPlan {
        guard let topic = try lookup.metadata(topic: request.topic, deadline: request.deadline).first else {
            throw KafkaError(code: RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, message: "topic '\(request.topic)' does not exist")
        }
        var partitions = topic.partitions
        if let only = request.partition {
            guard partitions.contains(only) else {
                throw KafkaError(code: RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION, message: "topic '\(request.topic)' has no partition \(only)")
            }
            partitions = [only]
        } else if let only = request.partitions {
            partitions = partitions.filter(only.contains)
        }
        let watermarks = try lookup.watermarks(topic: request.topic, partitions: partitions, deadline: request.deadline)
        let committed = groupID == nil ? [:] : try committedOffsets(topic: request.topic, partitions: partitions, deadline: request.deadline)

        var plan = ReadPlan(committed: committed)
        for mark in watermarks {
            let wanted: Int64
            if let offset = request.positions[mark.partition] {
                wanted = offset
            } else if let offset = committed[mark.partition] {
                wanted = offset
            } else {
                switch request.start {
                case .beginning: wanted = mark.earliest
                case .end: wanted = mark.latest
                case .offset(let offset): wanted = offset
                case .exactly(let offset):
                    guard (mark.earliest...mark.latest).contains(offset) else {
                        throw KafkaError(
                            code: RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE,
                            message: "offset \(offset) of \(request.topic)/\(mark.partition) is outside its stored range, \(mark.earliest) to \(mark.latest)")
                    }
                    wanted = offset
                }
            }
            plan.start[mark.partition] = min(max(wanted, mark.earliest), mark.latest)
            plan.high[mark.partition] = mark.latest
        }
        try position(topic: request.topic, at: plan.start, deadline: request.deadline)
        return plan
    }

    /// Assigns exactly these partitions at these offsets, reusing the current assignment when it matches.
    private func position(topic: String, at offsets: [Int32: Int64], deadline: ContinuousClock.Instant) throws(KafkaError) {
        if assignedTopic == topic && Set(positions.keys) == Set(offsets.keys) {
            // A resumed partition whose position did not move is seeked too: the seek wakes its
            // broker's thread, which otherwise starts the fetch only when its idle wait (up to a
            // second) ends.
            let moved = paused ? offsets : offsets.filter { positions[$0.key] != $0.value }
            try resumeFetching(topic: topic, offsets: offsets)
            if !moved.isEmpty {
                do {
                    try seek(topic: topic, offsets: moved, deadline: deadline)
                } catch where error.isTimeout {
                    // librdkafka 2.0.2 can report a seek as timed out at once (fixed in 2.1.0); the
                    // failed seek dropped the assignment, and assigning anew at the offsets does the same job.
                    try position(topic: topic, at: offsets, deadline: deadline)
                    return
                }
            }
        } else {
            forgetAssignment()
            let list = TopicPartitionList(topic: topic, offsets: offsets)
            let code = list.withUnsafePointer { rd_kafka_assign(client.handle, $0) }
            guard code == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(code: code, message: "assigning \(topic): \(String(cString: rd_kafka_err2str(code)))") }
            assignedTopic = topic
            // A new assignment waits for the consumer's own metadata on the topic, which librdkafka
            // otherwise refreshes on a one-second timer. Asking now (no fetch is queued yet on
            // these connections) starts fetching at once. Best effort: fetching recovers without it.
            _ = try? client.metadata(topic: topic, deadline: deadline)
        }
        positions = offsets
    }

    private func seek(topic: String, offsets: [Int32: Int64], deadline: ContinuousClock.Instant) throws(KafkaError) {
        let list = TopicPartitionList(topic: topic, offsets: offsets)
        let timeoutMs = max(deadline.remainingMilliseconds(), 1000)
        if let error = list.withUnsafePointer({ rd_kafka_seek_partitions(client.handle, $0, timeoutMs) }) {
            forgetAssignment()
            throw KafkaError(consuming: error)
        }
        if let error = list.firstError {
            forgetAssignment()
            throw error
        }
    }

    private func forgetAssignment() {
        if paused, let topic = assignedTopic {
            // librdkafka keeps a partition's pause across assignments: a later assignment of it would never fetch.
            let list = TopicPartitionList(topic: topic, offsets: positions)
            _ = list.withUnsafePointer { rd_kafka_resume_partitions(client.handle, $0) }
        }
        if assignedTopic != nil { _ = rd_kafka_assign(client.handle, nil) }
        assignedTopic = nil
        positions = [:]
        paused = false
    }

    /// Between calls the assigned partitions fetch nothing. A fetcher left running reads ahead to the
    /// partitions' ends and then keeps a long-poll fetch (`fetch.wait.max.ms`) in flight, which the
    /// next call's seek has to wait out before its first record; paused, the last fetch ends while
    /// the function is idle and the next call's fetch leaves at once. It also keeps an idle
    /// function from polling the brokers. Best effort: a partition that fails to pause only fetches.
    private func pauseFetching() {
        guard let topic = assignedTopic, !paused, !positions.isEmpty else { return }
        let list = TopicPartitionList(topic: topic, offsets: positions)
        let code = list.withUnsafePointer { rd_kafka_pause_partitions(client.handle, $0) }
        paused = code == RD_KAFKA_RESP_ERR_NO_ERROR
    }

    /// Undoes `pauseFetching` once the partitions stand where this call reads from.
    private func resumeFetching(topic: String, offsets: [Int32: Int64]) throws(KafkaError) {
        guard paused else { return }
        let list = TopicPartitionList(topic: topic, offsets: offsets)
        let code = list.withUnsafePointer { rd_kafka_resume_partitions(client.handle, $0) }
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            forgetAssignment()
            throw KafkaError(code: code, message: "resuming \(topic): \(String(cString: rd_kafka_err2str(code)))")
        }
        if let error = list.firstError {
            forgetAssignment()
            throw error
        }
        paused = false
    }

    /// The group's committed offsets (partitions without one are left out).
    func committedOffsets(topic: String, partitions: [Int32], deadline: ContinuousClock.Instant) throws(KafkaError) -> [Int32: Int64] {
        let list = TopicPartitionList(topic: topic, offsets: Dictionary(uniqueKeysWithValues: partitions.map { ($0, cshim_rd_kafka_offset_invalid) }))
        let timeoutMs = deadline.remainingMilliseconds()
        let code = list.withUnsafePointer { rd_kafka_committed(client.handle, $0, timeoutMs) }
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(code: code, message: "reading committed offsets of group for \(topic): \(String(cString: rd_kafka_err2str(code)))")
        }
        if let error = list.firstError { throw error }
        return list.offsets.filter { $0.value >= 0 }
    }

    /// Commits synchronously, bounded by the deadline but given at least a short grace.
    func commit(topic: String, offsets: [Int32: Int64], deadline: ContinuousClock.Instant) throws(KafkaError) {
        let list = TopicPartitionList(topic: topic, offsets: offsets)
        guard let queue = rd_kafka_queue_new(client.handle) else {
            throw KafkaError(code: RD_KAFKA_RESP_ERR__FAIL, message: "librdkafka returned no queue")
        }
        defer { rd_kafka_queue_destroy(queue) }
        // librdkafka copies the list, so it may go once the call returns.
        let code = list.withUnsafePointer { rd_kafka_commit_queue(client.handle, $0, queue, nil, nil) }
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(code: code, message: "committing offsets: \(String(cString: rd_kafka_err2str(code)))") }
        let timeoutMs = max(deadline.remainingMilliseconds(), Self.minimumCommitTimeoutMs)
        guard let event = rd_kafka_queue_poll(queue, timeoutMs) else {
            throw KafkaError.timedOut("the offset commit was not confirmed in time; the records may be read again")
        }
        defer { rd_kafka_event_destroy(event) }
        let eventCode = rd_kafka_event_error(event)
        guard eventCode == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(code: eventCode, message: "committing offsets: \(rd_kafka_event_error_string(event).map { String(cString: $0) } ?? "")")
        }
        if let committed = rd_kafka_event_topic_partition_list(event) {
            for element in UnsafeBufferPointer(start: committed.pointee.elems, count: Int(committed.pointee.cnt)) where element.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                throw KafkaError(code: element.err, message: "committing partition \(element.partition): \(String(cString: rd_kafka_err2str(element.err)))")
            }
        }
    }

    /// Errors after which waiting for more records is pointless.
    private static func isPermanent(_ error: KafkaError) -> Bool {
        [RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED,
         RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, RD_KAFKA_RESP_ERR__FATAL,
         RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED, RD_KAFKA_RESP_ERR__AUTHENTICATION]
            .contains { $0.rawValue == error.code }
    }
}

/// Where one call starts, per partition.
struct ReadPlan {
    var start: [Int32: Int64] = [:]
    /// High watermark when the call started.
    var high: [Int32: Int64] = [:]
    var committed: [Int32: Int64]
}
