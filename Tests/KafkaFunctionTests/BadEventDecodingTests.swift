import Foundation
import Testing

@_spi(Fuzzing) import KafkaFunction

/// The hostile-event corpus (what `scripts/generate-bad-events` writes, plus the fuzzer's finds in
/// `Tests/IntegrationTests/Fixtures/fuzz-crashes`) through the decoding every event goes through
/// before any Kafka call, in-process: each gets the structured answer the committed manifest names.
/// `BadEventCorpusTests` sends every event through the real bootstrap in the slow step; the dozen
/// multi-megabyte ones are left to it, since decoding them in a debug build costs ten seconds of CPU.
@Suite struct BadEventDecodingTests {
    static let maximumMessageBytes = 2048
    static let largestEventBytes = 1 << 20
    /// Errors that only Kafka can cause: an event expecting one must get past decoding.
    static let kafkaTimeErrors: Set<String> = ["Function.ProduceIncomplete", "Function.TopicNotFound", "Function.KafkaError"]

    @Test func everyBadEventUpToAMebibyteGetsTheAnswerTheManifestNames() throws {
        let corpus = try DecodingCorpus.load()
        #expect(corpus.events.count >= 200)
        #expect(Set(corpus.expectations.keys).isSubset(of: Set(corpus.events.map(\.name))), "the manifest names files that do not exist")

        let events = corpus.events.filter { $0.bytes.count <= Self.largestEventBytes }
        #expect(events.count >= corpus.events.count - 20, "most of the corpus is small enough for the default run")
        for (name, bytes) in events {
            let expected = corpus.expectations[name]
            switch EventDecodingProbe.decode(bytes) {
            case let .functionError(type, message, body):
                #expect(type.wholeMatch(of: /Function\.[A-Z][a-zA-Z]+/) != nil, "\(name): errorType \(type)")
                #expect(!message.isEmpty && message.utf8.count <= Self.maximumMessageBytes, "\(name): message of \(message.utf8.count) bytes")
                let object = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
                #expect(object?["errorType"] as? String == type, "\(name): body \(String(decoding: body.prefix(200), as: UTF8.self))")
                if let expected {
                    #expect(expected == .functionError(type), "\(name): expected \(expected), got \(type): \(message.prefix(200))")
                }
            case let .httpProblem(status, message, answer):
                #expect((400..<500).contains(status), "\(name): HTTP \(status)")
                #expect(!message.isEmpty && message.utf8.count <= Self.maximumMessageBytes, "\(name): message of \(message.utf8.count) bytes")
                let object = try JSONSerialization.jsonObject(with: Data(answer)) as? [String: Any]
                #expect(object?["statusCode"] as? Int == status, "\(name): answer \(String(decoding: answer.prefix(200), as: UTF8.self))")
                if let expected {
                    #expect(expected == .httpStatus(status), "\(name): expected \(expected), got HTTP \(status): \(message.prefix(200))")
                }
            case let .action(action), let .route(action):
                // Decoding accepted it: only an error Kafka gives may be expected (a REST proxy
                // route's 404 is a topic Kafka does not have).
                if let expected, expected != .httpStatus(404) {
                    guard case let .functionError(type) = expected, Self.kafkaTimeErrors.contains(type) else {
                        Issue.record("\(name): expected \(expected), but decoding accepted it as \(action)")
                        continue
                    }
                }
            }
        }
    }
}

/// The corpus files and the manifest, read from the source tree.
struct DecodingCorpus {
    enum Expectation: Equatable {
        case functionError(String)
        case httpStatus(Int)
    }

    var events: [(name: String, bytes: [UInt8])]
    var expectations: [String: Expectation]

    static func load() throws -> DecodingCorpus {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let fixtures = root.appendingPathComponent("Tests/IntegrationTests/Fixtures")
        let generated = FileManager.default.temporaryDirectory.appendingPathComponent("bad-events-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: generated) }
        let generator = Process()
        generator.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        generator.arguments = ["python3", root.appendingPathComponent("scripts/generate-bad-events").path, "--out", generated.path]
        generator.standardOutput = FileHandle.nullDevice
        try generator.run()
        generator.waitUntilExit()
        try #require(generator.terminationStatus == 0, "scripts/generate-bad-events failed")

        let events = try eventFiles(in: generated) + eventFiles(in: fixtures.appendingPathComponent("fuzz-crashes"))
        let manifest = try Data(contentsOf: fixtures.appendingPathComponent("bad-events.expected.json"))
        let entries = try #require(try JSONSerialization.jsonObject(with: manifest) as? [String: [String: Any]])
        var expectations: [String: Expectation] = [:]
        for (name, entry) in entries {
            if let type = entry["errorType"] as? String {
                expectations[name] = .functionError(type)
            } else if let status = entry["status"] as? Int {
                expectations[name] = .httpStatus(status)
            }
        }
        return DecodingCorpus(events: events, expectations: expectations)
    }

    private static func eventFiles(in directory: URL) throws -> [(name: String, bytes: [UInt8])] {
        guard FileManager.default.fileExists(atPath: directory.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".event") }.sorted()
            .map { ($0, Array(try Data(contentsOf: directory.appendingPathComponent($0)))) }
    }
}
