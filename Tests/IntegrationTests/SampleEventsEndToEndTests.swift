import Foundation
import TestSupport
import Testing

/// The sample events in Events/, in the order `scripts/run-local` sends them, against a fresh
/// cluster: every one succeeds, and each answer agrees with the ones before it.
@Suite(.offCooperativePool, .serialized, .kafkaEndToEnd) struct SampleEventsEndToEndTests {
    static let runLocalOrder = [
        "produce.json", "produce-records.json", "consume.json", "consume-group.json", "offsets.json",
        "eventbridge-scheduled-consume.json", "apigateway-rest-produce.json", "apigateway-http-produce-base64.json",
        "apigateway-http-consume.json", "apigateway-http-offsets.json", "apigateway-http-list-topics.json",
        "apigateway-websocket-fetch.json",
    ]

    @Test func runLocalsOrderListsEverySampleEvent() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: SampleEvents.directory.path).filter { $0.hasSuffix(".json") }
        // The sink's samples need PostgreSQL: PostgresSinkEndToEndTests sends them.
        let all = Self.runLocalOrder + PostgresSinkEndToEndTests.sampleEvents
        #expect(Set(names) == Set(all))
        let script = try String(contentsOf: SampleEvents.directory.deletingLastPathComponent().appendingPathComponent("scripts/run-local"), encoding: .utf8)
        #expect(all.allSatisfy { script.contains("Events/\($0)") })
    }

    @Test(arguments: BrokerEngine.allCases) func everySampleEventSucceedsInOrder(engine: BrokerEngine) throws {
        let kafka = try KafkaEndToEnd.shared(engine)
        var answers: [String: [String: Any]] = [:]
        for name in Self.runLocalOrder {
            let result = try kafka.invoke(try SampleEvents.text(name))
            #expect(result.status == 200 && result.functionError == nil, "\(name): \(result.text.prefix(500))")
            var answer = try result.jsonObject()
            if let status = answer.int("statusCode") {
                #expect((200..<300).contains(status), "\(name): \(answer)")
                let body = try JSONSerialization.jsonObject(with: Data((answer.string("body") ?? "").utf8))
                if let topics = body as? [String] {
                    #expect(Set(topics).isSuperset(of: ["users", "orders"]), "\(name): \(topics)")
                }
                answer = body as? [String: Any] ?? [:]
            }
            answers[name] = answer
        }

        let users = answers["produce.json"]?.objects("records").compactMap(LogPosition.init) ?? []
        #expect(!users.isEmpty)
        #expect(answers["produce.json"]?.bool("topic_created") == true)
        let orders = answers["produce-records.json"]?.objects("records").compactMap(LogPosition.init) ?? []
        #expect(orders.count == 3)
        #expect(Set(answers["consume.json"]?.objects("records").compactMap(LogPosition.init) ?? []) == Set(users))
        #expect(Set(answers["consume-group.json"]?.objects("records").compactMap(LogPosition.init) ?? []) == Set(orders))
        let stored = answers["offsets.json"]?.objects("partitions").reduce(0) { $0 + ($1.int("latest") ?? 0) - ($1.int("earliest") ?? 0) }
        #expect(stored == orders.count)
        #expect(Set(answers["eventbridge-scheduled-consume.json"]?.objects("records").compactMap(LogPosition.init) ?? []) == Set(users))
        let restOffsets = answers["apigateway-rest-produce.json"]?.objects("offsets").compactMap(LogPosition.init) ?? []
        let httpOffsets = answers["apigateway-http-produce-base64.json"]?.objects("offsets").compactMap(LogPosition.init) ?? []
        #expect(restOffsets.count == 2 && httpOffsets.count == 1)
        let allOrders = Set(orders + restOffsets + httpOffsets)
        #expect(allOrders.count == 6)
        #expect(Set(answers["apigateway-http-consume.json"]?.objects("records").compactMap(LogPosition.init) ?? []) == allOrders)
        let httpStored = answers["apigateway-http-offsets.json"]?.objects("partitions").reduce(0) { $0 + ($1.int("latest") ?? 0) - ($1.int("earliest") ?? 0) }
        #expect(httpStored == allOrders.count)
        let fetched = (answers["apigateway-websocket-fetch.json"]?["kafka_fetch_resp"] as? [String: Any])?["messages"] as? [[String: Any]]
        #expect(fetched?.isEmpty == false && answers["apigateway-websocket-fetch.json"]?["sequence"] as? Int == 1)
    }
}
