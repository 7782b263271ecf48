import Foundation
import TestSupport
import Testing

/// Every malformed or hostile event that `scripts/generate-bad-events` writes (at test time, into the
/// build folder), plus any crash `scripts/fuzz` found (`Fixtures/fuzz-crashes`), goes through the emulator to one real bootstrap connected
/// to a local cluster. Each must be answered with a structured error, and the same process must
/// still serve a valid produce and consume afterwards. Slow (half a minute alone); the default run
/// checks every event's answer in-process (`BadEventDecodingTests`).
@Suite(.offCooperativePool, .serialized, .tags(.slow), .onlyInSlowStep) struct BadEventCorpusTests {
    /// Error messages name the problem; they must not echo unbounded input back.
    static let maximumMessageBytes = 2048

    @Test func everyBadEventIsAnsweredWithAStructuredErrorAndTheRuntimeSurvives() throws {
        let corpus = try BadEventCorpus.load()
        #expect(corpus.events.count >= 200)

        let cluster = try LocalKafkaCluster(brokers: 1)
        let emulator = try EmulatorHarness(
            environment: ["KAFKA_ENDPOINT": cluster.bootstrapServers],
            timeoutSeconds: 60)
        defer { emulator.stop() }

        var pid: Int?
        for event in corpus.events {
            let result = try emulator.invoke(event.bytes, timeout: 90)
            if pid == nil { pid = try emulator.bootstrapPID() }
            let answer = StructuredAnswer(result)
            if let problem = answer.problem(expected: corpus.expectations[event.name]) {
                Issue.record("\(event.name): \(problem)")
            }
        }

        let status = try emulator.status()
        #expect(status["bootstrap_pid"] as? Int == pid, "the bootstrap was replaced")
        #expect(status["restarts"] as? Int == 0)
        #expect(status["invocations_served"] as? Int == corpus.events.count)

        let marker = "after-\(corpus.events.count)-bad-events"
        let produced = try emulator.invoke(
            #"{"action":"produce","topic":"bad-events-after","records":[{"key":"k","value":"\#(marker)"}]}"#)
        #expect(produced.functionError == nil, "\(produced.text)")
        let consumed = try emulator.invoke(#"{"action":"consume","topic":"bad-events-after","timeout_ms":10000}"#)
        #expect(consumed.functionError == nil, "\(consumed.text)")
        let records = try consumed.jsonObject()["records"] as? [[String: Any]] ?? []
        #expect(records.contains { $0["value"] as? String == marker }, "\(consumed.text.prefix(500))")
        #expect(try emulator.bootstrapPID() == pid)
    }
}

/// The corpus files and the answer each must get.
struct BadEventCorpus {
    struct Event {
        var name: String
        var bytes: Data
    }

    enum Expectation: Equatable {
        case functionError(type: String)
        case httpStatus(Int)
    }

    var events: [Event]
    var expectations: [String: Expectation]

    static func load() throws -> BadEventCorpus {
        let fixtures = try #require(Bundle.module.resourceURL).appendingPathComponent("Fixtures")
        let generated = try generate()
        let crashes = fixtures.appendingPathComponent("fuzz-crashes")
        let events = try eventFiles(in: generated) + eventFiles(in: crashes)
        let names = events.map(\.name)

        let manifest = try Data(contentsOf: fixtures.appendingPathComponent("bad-events.expected.json"))
        let generatedManifest = try Data(contentsOf: generated.appendingPathComponent("expected.json"))
        #expect(
            manifest == generatedManifest,
            "the generator's expectations differ from the committed manifest: run scripts/generate-bad-events --update-manifest and review the diff")
        let entries = try #require(try JSONSerialization.jsonObject(with: manifest) as? [String: [String: Any]])
        var expectations: [String: Expectation] = [:]
        for (name, entry) in entries {
            if let type = entry["errorType"] as? String {
                expectations[name] = .functionError(type: type)
            } else if let status = entry["status"] as? Int {
                expectations[name] = .httpStatus(status)
            }
        }
        #expect(Set(expectations.keys).isSubset(of: Set(names)), "the manifest names files that do not exist")
        return BadEventCorpus(events: events, expectations: expectations)
    }

    /// Runs the generator into the build folder beside the test bundle.
    private static func generate() throws -> URL {
        let packageRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let output = Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent("bad-events")
        let generator = Process()
        generator.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        generator.arguments = ["python3", packageRoot.appendingPathComponent("scripts/generate-bad-events").path,
                               "--out", output.path]
        generator.standardOutput = FileHandle.nullDevice
        try generator.run()
        generator.waitUntilExit()
        try #require(generator.terminationStatus == 0, "scripts/generate-bad-events failed")
        return output
    }

    private static func eventFiles(in directory: URL) throws -> [Event] {
        guard FileManager.default.fileExists(atPath: directory.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".event") }.sorted()
            .map { Event(name: $0, bytes: try Data(contentsOf: directory.appendingPathComponent($0))) }
    }
}

/// What the function answered, checked for the two structured forms: a function error
/// `{"errorType":"Function.X","errorMessage":"..."}`, or an API Gateway proxy answer with a 4xx
/// status and a JSON body whose `message` names the problem.
struct StructuredAnswer {
    var result: InvokeResult

    init(_ result: InvokeResult) {
        self.result = result
    }

    /// nil when the answer is structured and matches `expected`; otherwise what is wrong.
    func problem(expected: BadEventCorpus.Expectation?) -> String? {
        guard result.status == 200 else { return "the Invoke API answered HTTP \(result.status): \(excerpt)" }
        guard let object = try? JSONSerialization.jsonObject(with: result.body) as? [String: Any] else {
            return "the answer is not a JSON object: \(excerpt)"
        }
        if result.functionError != nil {
            return functionErrorProblem(object, expected: expected)
        }
        return proxyAnswerProblem(object, expected: expected)
    }

    private func functionErrorProblem(_ object: [String: Any], expected: BadEventCorpus.Expectation?) -> String? {
        guard let type = object["errorType"] as? String, type.wholeMatch(of: /Function\.[A-Z][a-zA-Z]+/) != nil else {
            return "errorType is not Function.Reason: \(excerpt)"
        }
        guard let message = object["errorMessage"] as? String, !message.isEmpty else {
            return "errorMessage is missing or empty: \(excerpt)"
        }
        guard message.utf8.count <= BadEventCorpusTests.maximumMessageBytes else {
            return "errorMessage has \(message.utf8.count) bytes: \(message.prefix(200))"
        }
        if let expected, expected != .functionError(type: type) {
            return "expected \(expected), got \(type): \(message.prefix(300))"
        }
        return nil
    }

    private func proxyAnswerProblem(_ object: [String: Any], expected: BadEventCorpus.Expectation?) -> String? {
        guard let status = object["statusCode"] as? Int, (400..<500).contains(status) else {
            return "neither a function error nor a 4xx proxy answer: \(excerpt)"
        }
        guard let body = object["body"] as? String,
              let problem = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
              let message = problem["message"] as? String, !message.isEmpty
        else {
            return "the proxy answer's body is not JSON naming the problem: \(excerpt)"
        }
        guard message.utf8.count <= BadEventCorpusTests.maximumMessageBytes else {
            return "the proxy answer's message has \(message.utf8.count) bytes: \(message.prefix(200))"
        }
        if let expected, expected != .httpStatus(status) {
            return "expected \(expected), got HTTP \(status): \(message.prefix(300))"
        }
        return nil
    }

    private var excerpt: String { String(result.text.prefix(300)) }
}
