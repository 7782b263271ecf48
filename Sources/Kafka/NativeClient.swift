import CRdKafka
import Encoding
import Logging

/// Sole owner of one `rd_kafka_t` and of the context its callbacks reach through the handle's opaque.
package final class NativeClient {
    package let handle: OpaquePointer
    private let context: ClientContext

    package init(type: rd_kafka_type_t, configuration: NativeConfiguration, logger: Logger) throws(KafkaError) {
        guard let conf = configuration.pointer else {
            throw KafkaError(code: RD_KAFKA_RESP_ERR__INVALID_ARG, message: "configuration already used")
        }
        let context = ClientContext(
            logSink: LogSink(logger: logger, secrets: configuration.secrets), tokenProvider: configuration.tokenProvider)
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(context).toOpaque())
        rd_kafka_conf_set_log_cb(conf, forwardLibrdkafkaLog)
        if context.tokenProvider != nil {
            rd_kafka_conf_set_oauthbearer_token_refresh_cb(conf, refreshOAuthBearerToken)
            // Token requests go to their own queue, served by librdkafka's background thread once
            // enabled below: no rd_kafka_poll is needed for the first token or any refresh.
            rd_kafka_conf_enable_sasl_queue(conf, 1)
        }
        var reason = CString.errorBuffer()
        guard let handle = rd_kafka_new(type, conf, &reason, reason.count) else {
            let text = CString.decode(reason)
            throw KafkaError(
                code: RD_KAFKA_RESP_ERR__INVALID_ARG, message: "cannot create the Kafka client: \(context.logSink.redact(text))")
        }
        configuration.relinquish()
        if context.tokenProvider != nil, let error = rd_kafka_sasl_background_callbacks_enable(handle) {
            let failure = KafkaError(consuming: error)
            rd_kafka_destroy(handle)
            throw failure
        }
        self.handle = handle
        self.context = context
    }

    deinit {
        rd_kafka_destroy(handle)
        // `context` is released after this body, once no librdkafka thread can call back.
    }

    /// `error` with the reason the brokers could not be reached, when a request failed for lack of a
    /// usable broker: librdkafka reports TLS and SASL failures only in its log, and the request then
    /// just times out. An authentication failure becomes `_AUTHENTICATION`, a TLS failure `_SSL`.
    package func explainingConnectionFailure(_ error: KafkaError) -> KafkaError {
        let unreachable = error.isTimeout || error.code == RD_KAFKA_RESP_ERR__TRANSPORT.rawValue
            || error.code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN.rawValue
        guard unreachable, let failure = context.logSink.lastBrokerFailure else { return error }
        if failure.contains("SASL") {
            return KafkaError(code: RD_KAFKA_RESP_ERR__AUTHENTICATION, message: "authentication failed: \(failure)", isRetriable: false)
        }
        if failure.contains("SSL") {
            return KafkaError(code: RD_KAFKA_RESP_ERR__SSL, message: "TLS failed: \(failure)", isRetriable: false)
        }
        var explained = error
        explained.message += " (last broker connection failure: \(failure))"
        return explained
    }

    /// A request succeeded: an earlier connection failure no longer explains anything.
    package func forgetConnectionFailure() {
        context.logSink.lastBrokerFailure = nil
    }

    /// The fatal error that made this handle unusable, if any.
    var fatalError: KafkaError? {
        var reason = CString.errorBuffer()
        let code = rd_kafka_fatal_error(handle, &reason, reason.count)
        guard code != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        let text = CString.decode(reason)
        return KafkaError(code: code, message: text, isRetriable: false, isFatal: true)
    }
}

private func forwardLibrdkafkaLog(
    _ handle: OpaquePointer?, _ level: Int32, _ facility: UnsafePointer<CChar>?, _ message: UnsafePointer<CChar>?
) {
    guard let handle, let opaque = rd_kafka_opaque(handle) else { return }
    let context = Unmanaged<ClientContext>.fromOpaque(opaque).takeUnretainedValue()
    context.logSink.log(
        level: level,
        facility: facility.map { String(cString: $0) } ?? "",
        message: message.map { String(cString: $0) } ?? "")
}

private func refreshOAuthBearerToken(
    _ handle: OpaquePointer?, _ oauthbearerConfig: UnsafePointer<CChar>?, _ opaque: UnsafeMutableRawPointer?
) {
    guard let handle, let opaque else { return }
    Unmanaged<ClientContext>.fromOpaque(opaque).takeUnretainedValue().refreshToken(handle: handle)
}
