import Foundation
import TestSupport
import Testing

/// One broker of one engine and one emulator running the real bootstrap against it, shared by
/// every test of a suite marked `.kafkaEndToEnd` (started at its first use in the suite, stopped
/// after the suite's last test). Tests give their topics unique names, so they never see each
/// other's records. Tests take the engine as an argument (`arguments: BrokerEngine.allCases`),
/// so each runs against librdkafka's mock cluster and against the independent broker.
final class KafkaEndToEnd: Sendable {
    @TaskLocal static var current: KafkaEndToEndEnvironments?

    let broker: any RunningBroker
    let emulator: EmulatorHarness
    var engine: BrokerEngine { broker.engine }
    /// The function's `CORS_ALLOW_ORIGIN`: API answers must name it.
    static let corsOrigin = "https://app.example.com"

    init(engine: BrokerEngine, timeoutSeconds: Double = 60) throws {
        broker = try engine.start()
        do {
            emulator = try EmulatorHarness(
                environment: ["KAFKA_ENDPOINT": broker.bootstrapServers, "CORS_ALLOW_ORIGIN": Self.corsOrigin],
                timeoutSeconds: timeoutSeconds)
        } catch {
            broker.stop()
            throw error
        }
    }

    /// The suite's environment for `engine`; fails the test when the suite lacks the `.kafkaEndToEnd` trait.
    static func shared(_ engine: BrokerEngine = .mock, sourceLocation: SourceLocation = #_sourceLocation) throws -> KafkaEndToEnd {
        try #require(current, "the suite needs the .kafkaEndToEnd trait", sourceLocation: sourceLocation).environment(for: engine)
    }

    func stop() {
        emulator.stop()
        broker.stop()
    }

    /// Invokes the function and returns the answer, whatever it is.
    func invoke(_ event: String) throws -> InvokeResult {
        try emulator.invoke(event)
    }

    /// Invokes the function and requires a successful JSON object answer.
    func succeed(_ event: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let result = try emulator.invoke(event)
        try #require(
            result.status == 200 && result.functionError == nil,
            "[\(engine)] expected success for \(event.prefix(300)), got \(result.status): \(result.text.prefix(1000))",
            sourceLocation: sourceLocation)
        return try result.jsonObject()
    }

    /// Invokes the function and requires a function error; returns its body.
    func fail(_ event: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let result = try emulator.invoke(event)
        try #require(
            result.functionError == "Unhandled",
            "[\(engine)] expected a function error for \(event.prefix(300)), got \(result.status): \(result.text.prefix(1000))",
            sourceLocation: sourceLocation)
        return try result.jsonObject()
    }
}

/// A suite's environments, one per engine, each started the first time a test asks for it.
final class KafkaEndToEndEnvironments: @unchecked Sendable {
    private let lock = NSLock()
    private var started: [BrokerEngine: KafkaEndToEnd] = [:]

    func environment(for engine: BrokerEngine) throws -> KafkaEndToEnd {
        try lock.withLock {
            if let running = started[engine] { return running }
            let environment = try KafkaEndToEnd(engine: engine)
            started[engine] = environment
            return environment
        }
    }

    func stopAll() {
        lock.withLock {
            for environment in started.values { environment.stop() }
            started.removeAll()
        }
    }
}

/// Gives a suite its environments and tears them down when the suite is done.
struct KafkaEndToEndTrait: SuiteTrait, TestTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let environments = KafkaEndToEndEnvironments()
        defer { environments.stopAll() }
        try await KafkaEndToEnd.$current.withValue(environments) {
            try await function()
        }
    }
}

extension Trait where Self == KafkaEndToEndTrait {
    /// One broker and one emulator-run bootstrap per engine for the whole suite.
    static var kafkaEndToEnd: Self { Self() }
}

/// A topic name no other test uses.
func uniqueTopic(_ prefix: String) -> String {
    "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
}

/// A JSON string literal for `text`, for building events by interpolation.
func jsonString(_ text: String) -> String {
    let data = (try? JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])) ?? Data("[\"\"]".utf8)
    return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
}

/// Reads typed members out of decoded JSON without force casts.
extension Dictionary where Key == String, Value == Any {
    func int(_ name: String) -> Int? { (self[name] as? NSNumber)?.intValue }
    func string(_ name: String) -> String? { self[name] as? String }
    func bool(_ name: String) -> Bool? { self[name] as? Bool }
    func objects(_ name: String) -> [[String: Any]] { self[name] as? [[String: Any]] ?? [] }
}

/// One record's place in the log.
struct LogPosition: Hashable, Comparable, CustomStringConvertible {
    var partition: Int
    var offset: Int

    static func < (lhs: LogPosition, rhs: LogPosition) -> Bool {
        (lhs.partition, lhs.offset) < (rhs.partition, rhs.offset)
    }

    var description: String { "\(partition)@\(offset)" }

    init(partition: Int, offset: Int) {
        self.partition = partition
        self.offset = offset
    }

    /// From a produce result entry or a consumed record.
    init?(_ object: [String: Any]) {
        guard let partition = object.int("partition"), let offset = object.int("offset") else { return nil }
        self.init(partition: partition, offset: offset)
    }
}

extension KafkaEndToEnd {
    /// Produces `records` (a JSON array text) and returns each record's position, by index.
    func produce(topic: String, records: String, extra: String = "", sourceLocation: SourceLocation = #_sourceLocation) throws -> [LogPosition] {
        let result = try succeed(
            #"{"action":"produce","topic":\#(jsonString(topic)),"records":\#(records)\#(extra)}"#, sourceLocation: sourceLocation)
        let entries = result.objects("records").sorted { ($0.int("index") ?? -1) < ($1.int("index") ?? -1) }
        #expect(entries.map { $0.int("index") } == Array(0..<entries.count).map { $0 }, sourceLocation: sourceLocation)
        #expect(result.int("failed") == 0 && result.int("delivered") == entries.count, sourceLocation: sourceLocation)
        return entries.compactMap(LogPosition.init)
    }

    /// Consumes with `options` (extra JSON members) and returns the whole answer.
    func consume(topic: String, _ options: String = "", sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        try succeed(#"{"action":"consume","topic":\#(jsonString(topic))\#(options)}"#, sourceLocation: sourceLocation)
    }

    /// Latest minus earliest offset of every partition, by partition.
    func storedCounts(topic: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [Int: Int] {
        let result = try succeed(#"{"action":"offsets","topic":\#(jsonString(topic))}"#, sourceLocation: sourceLocation)
        var counts: [Int: Int] = [:]
        for partition in result.objects("partitions") {
            if let index = partition.int("partition"), let earliest = partition.int("earliest"), let latest = partition.int("latest") {
                counts[index] = latest - earliest
            }
        }
        return counts
    }
}

/// The sample events shipped in `Events/`, read from the source tree.
enum SampleEvents {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Events")

    static func text(_ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }

    static func object(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }
}

func serialize(_ object: [String: Any]) throws -> String {
    String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
}
