#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import Synchronization

/// A swift-log handler writing one line per record to stderr, which Lambda captures.
///
/// The request id comes from the record's `requestId` metadata, or else from the invocation
/// the runtime is serving, so that every line logged during an invocation carries it.
public struct LambdaLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let formatter: LogLineFormatter

    public init(format: LogFormat, logLevel: Logger.Level) {
        self.formatter = LogLineFormatter(format: format)
        self.logLevel = logLevel
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() {
            merged.merge(provided) { _, new in new }
        }
        if let recorded = event.metadata {
            merged.merge(recorded) { _, new in new }
        }
        let requestID = merged[LogLineFormatter.requestIDKey].map { "\($0)" } ?? CurrentInvocation.requestID
        let line = formatter.line(
            epochMilliseconds: WallClock.nowEpochMilliseconds(), level: event.level,
            message: event.message.description, requestID: requestID, metadata: merged)
        StandardStream.error.writeLine(Array(line.utf8))
    }
}

/// The request id of the invocation being served, if any.
///
/// Each runtime loop binds its invocation's id for the thread serving it (a task-local value,
/// which outside a task lives with the thread), so concurrent loops never see each other's.
/// With one loop the id is also published process-wide, so lines logged by librdkafka's own
/// threads during an invocation carry it too, as they always did.
public enum CurrentInvocation {
    @TaskLocal static var bound: String?
    private static let published = Mutex<String?>(nil)

    public static var requestID: String? {
        bound ?? published.withLock { $0 }
    }

    static func publish(_ requestID: String?) {
        published.withLock { $0 = requestID }
    }
}

/// Installs `LambdaLogHandler` as the process's swift-log backend.
public enum LambdaLogging {
    private static let bootstrapped = Mutex(false)

    /// Only the first call has an effect: swift-log allows one bootstrap per process.
    public static func bootstrap(format: LogFormat, level: Logger.Level) {
        let first = bootstrapped.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        LoggingSystem.bootstrap { _ in LambdaLogHandler(format: format, logLevel: level) }
    }
}
