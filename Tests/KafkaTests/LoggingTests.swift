import Foundation
import Kafka
import Logging
import Testing

/// Keeps what is logged through it.
final class CapturingLogHandler: LogHandler, @unchecked Sendable {
    private let lock = NSLock()
    private var captured: [(Logger.Level, String, Logger.Metadata?)] = []
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        lock.withLock { captured.append((event.level, event.message.description, event.metadata)) }
    }

    var entries: [(Logger.Level, String, Logger.Metadata?)] { lock.withLock { captured } }
}

@Suite(.offCooperativePool) struct LoggingTests {
    @Test func librdkafkaLogLinesReachTheLoggerWithTheirLevel() throws {
        let handler = CapturingLogHandler()
        let logger = Logger(label: "LoggingTests") { _ in handler }
        // Nothing listens on port 1: librdkafka logs the refused connection.
        let configuration = KafkaConfiguration(bootstrapServers: "127.0.0.1:1")
        let producer = try KafkaProducer(configuration: configuration, logger: logger)
        let reports = producer.send(topic: "t", records: [OutgoingRecord(value: [1])], deadline: .now.advanced(by: .seconds(2)))
        #expect(reports.first?.error?.isTimeout == true)

        let refused = handler.entries.filter { $0.1.contains("Connection refused") && $0.2?["librdkafka"] != nil }
        #expect(!refused.isEmpty)
        #expect(refused.allSatisfy { $0.0 == .error })
    }
}
