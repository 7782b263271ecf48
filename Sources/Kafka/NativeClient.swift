import CRdKafka
import Logging

/// Sole owner of one `rd_kafka_t` and of the log sink its log callback reaches through the handle's opaque.
final class NativeClient {
    let handle: OpaquePointer
    private let logSink: LogSink

    init(type: rd_kafka_type_t, configuration: NativeConfiguration, logger: Logger) throws(KafkaError) {
        guard let conf = configuration.pointer else {
            throw KafkaError(code: RD_KAFKA_RESP_ERR__INVALID_ARG, message: "configuration already used")
        }
        let sink = LogSink(logger: logger)
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(sink).toOpaque())
        rd_kafka_conf_set_log_cb(conf, forwardLibrdkafkaLog)
        var reason = [CChar](repeating: 0, count: 512)
        guard let handle = rd_kafka_new(type, conf, &reason, reason.count) else {
            let text = String(decoding: reason.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw KafkaError(code: RD_KAFKA_RESP_ERR__INVALID_ARG, message: "cannot create the Kafka client: \(text)")
        }
        configuration.relinquish()
        self.handle = handle
        self.logSink = sink
    }

    deinit {
        rd_kafka_destroy(handle)
        // `logSink` is released after this body, once no librdkafka thread can call back.
    }

    /// The fatal error that made this handle unusable, if any.
    var fatalError: KafkaError? {
        var reason = [CChar](repeating: 0, count: 512)
        let code = rd_kafka_fatal_error(handle, &reason, reason.count)
        guard code != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        let text = String(decoding: reason.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return KafkaError(code: code, message: text, isRetriable: false, isFatal: true)
    }
}

/// Receives librdkafka log lines on librdkafka's threads.
final class LogSink: Sendable {
    let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    func log(level: Int32, facility: String, message: String) {
        logger.log(level: Self.level(syslog: level), "\(message)", metadata: ["librdkafka": .string(facility)])
    }

    static func level(syslog: Int32) -> Logger.Level {
        switch syslog {
        case ...2: .critical
        case 3: .error
        case 4: .warning
        case 5: .notice
        case 6: .info
        default: .debug
        }
    }
}

private func forwardLibrdkafkaLog(
    _ handle: OpaquePointer?, _ level: Int32, _ facility: UnsafePointer<CChar>?, _ message: UnsafePointer<CChar>?
) {
    guard let handle, let opaque = rd_kafka_opaque(handle) else { return }
    let sink = Unmanaged<LogSink>.fromOpaque(opaque).takeUnretainedValue()
    sink.log(
        level: level,
        facility: facility.map { String(cString: $0) } ?? "",
        message: message.map { String(cString: $0) } ?? "")
}
