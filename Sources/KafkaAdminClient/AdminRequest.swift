import CRdKafka
import Encoding
import Kafka

extension NativeClient {
    /// Sends one admin request bounded by `deadline` and hands its result event to `read`; the
    /// options, queue and event are freed on every path.
    ///
    /// - Parameters:
    ///   - timeoutMessage: the error's message when no answer comes by the deadline.
    ///   - failurePrefix: begins the message of an error the answer carries ("creating topic 'orders'").
    ///   - waitsForOperation: also asks the controller to finish the operation within the bound.
    ///   - send: issues the request with the options and the reply queue.
    func adminRequest<Result>(
        _ operation: rd_kafka_admin_op_t, timeoutMessage: String, failurePrefix: String, deadline: ContinuousClock.Instant, waitsForOperation: Bool = false,
        send: (_ options: OpaquePointer, _ queue: OpaquePointer) -> Void,
        read: (_ event: OpaquePointer) throws(KafkaError) -> Result
    ) throws(KafkaError) -> Result {
        guard let options = rd_kafka_AdminOptions_new(handle, operation) else {
            throw KafkaError(code: RD_KAFKA_RESP_ERR__FAIL, message: "librdkafka returned no admin options")
        }
        defer { rd_kafka_AdminOptions_destroy(options) }
        var reason = CString.errorBuffer()
        let timeoutMs = max(deadline.remainingMilliseconds(), 1)
        _ = rd_kafka_AdminOptions_set_request_timeout(options, timeoutMs, &reason, reason.count)
        if waitsForOperation {
            _ = rd_kafka_AdminOptions_set_operation_timeout(options, timeoutMs, &reason, reason.count)
        }
        guard let queue = rd_kafka_queue_new(handle) else {
            throw KafkaError(code: RD_KAFKA_RESP_ERR__FAIL, message: "librdkafka returned no queue")
        }
        defer { rd_kafka_queue_destroy(queue) }
        send(options, queue)
        // librdkafka answers by the request timeout, which ends at the deadline: wait no longer.
        guard let event = rd_kafka_queue_poll(queue, max(deadline.remainingMilliseconds(), 1)) else {
            throw KafkaError.timedOut(timeoutMessage)
        }
        defer { rd_kafka_event_destroy(event) }
        let code = rd_kafka_event_error(event)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(code: code, message: "\(failurePrefix): \(rd_kafka_event_error_string(event).map { String(cString: $0) } ?? "")")
        }
        return try read(event)
    }
}
