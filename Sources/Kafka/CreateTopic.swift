import CRdKafka
import Encoding

extension NativeClient {
    /// Sends CreateTopics to the controller and waits for its answer until `deadline`.
    func createTopic(_ name: String, partitions: Int32, replicationFactor: Int16, deadline: ContinuousClock.Instant) throws(KafkaError) -> CreateTopicOutcome {
        var reason = CString.errorBuffer()
        guard let newTopic = rd_kafka_NewTopic_new(name, partitions, Int32(replicationFactor), &reason, reason.count) else {
            throw KafkaError(code: RD_KAFKA_RESP_ERR__INVALID_ARG, message: "cannot create topic '\(name)': \(CString.decode(reason))")
        }
        defer { rd_kafka_NewTopic_destroy(newTopic) }
        guard let options = rd_kafka_AdminOptions_new(handle, RD_KAFKA_ADMIN_OP_CREATETOPICS) else {
            throw KafkaError(code: RD_KAFKA_RESP_ERR__FAIL, message: "librdkafka returned no admin options")
        }
        defer { rd_kafka_AdminOptions_destroy(options) }
        let timeoutMs = max(deadline.remainingMilliseconds(), 1)
        _ = rd_kafka_AdminOptions_set_request_timeout(options, timeoutMs, &reason, reason.count)
        // Ask the controller to wait for the creation to complete, within the same bound.
        _ = rd_kafka_AdminOptions_set_operation_timeout(options, timeoutMs, &reason, reason.count)
        guard let queue = rd_kafka_queue_new(handle) else {
            throw KafkaError(code: RD_KAFKA_RESP_ERR__FAIL, message: "librdkafka returned no queue")
        }
        defer { rd_kafka_queue_destroy(queue) }

        guard hasReachableController(timeoutMs: timeoutMs) else {
            throw KafkaError(code: RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE, message: "the cluster names no controller among its brokers, so it cannot take CreateTopics")
        }

        var topics: [OpaquePointer?] = [newTopic]
        rd_kafka_CreateTopics(handle, &topics, 1, options, queue)
        // librdkafka answers by the request timeout at the latest; a little slack covers scheduling.
        guard let event = rd_kafka_queue_poll(queue, timeoutMs + 1000) else {
            throw KafkaError.timedOut("no CreateTopics answer for '\(name)' before the deadline")
        }
        defer { rd_kafka_event_destroy(event) }
        let code = rd_kafka_event_error(event)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(code: code, message: "creating topic '\(name)': \(rd_kafka_event_error_string(event).map { String(cString: $0) } ?? "")")
        }
        guard let result = rd_kafka_event_CreateTopics_result(event) else {
            throw KafkaError(code: RD_KAFKA_RESP_ERR__FAIL, message: "unexpected answer to CreateTopics")
        }
        var count = 0
        guard let results = rd_kafka_CreateTopics_result_topics(result, &count), count == 1, let topicResult = results[0] else {
            throw KafkaError(code: RD_KAFKA_RESP_ERR__FAIL, message: "CreateTopics answered for \(count) topics, expected 1")
        }
        let topicCode = rd_kafka_topic_result_error(topicResult)
        switch topicCode {
        case RD_KAFKA_RESP_ERR_NO_ERROR:
            return .created
        case RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS:
            return .alreadyExists
        default:
            let detail = rd_kafka_topic_result_error_string(topicResult).map { String(cString: $0) }
            throw KafkaError(code: topicCode, message: "creating topic '\(name)': \(detail ?? String(cString: rd_kafka_err2str(topicCode)))")
        }
    }

    /// CreateTopics goes to the controller. A cluster whose metadata names a controller that is not
    /// one of its brokers (librdkafka's mock cluster answers 0 while its brokers are 1...N) would
    /// leave librdkafka waiting for it until the deadline. Real clusters always name one of theirs.
    private func hasReachableController(timeoutMs: Int32) -> Bool {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        guard rd_kafka_metadata(handle, 0, nil, &metadata, timeoutMs) == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            return true  // Unknown: let CreateTopics itself report what is wrong.
        }
        defer { rd_kafka_metadata_destroy(metadata) }
        let controller = rd_kafka_controllerid(handle, 0)
        let brokers = UnsafeBufferPointer(start: metadata.pointee.brokers, count: Int(metadata.pointee.broker_cnt))
        return brokers.contains { $0.id == controller }
    }

}
