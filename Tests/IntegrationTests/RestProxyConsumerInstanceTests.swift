import Foundation
import TestSupport
import Testing

/// REST proxy consumer instances have no process to live in: two bootstrap processes (two
/// emulators, two local gateways) serve one instance, reads never repeat or skip a record, and a
/// deleted or expired instance answers 40403.
@Suite(.offCooperativePool, .serialized) struct RestProxyConsumerInstanceTests {
    typealias Stack = RestProxyQuickstartTests.Stack
    static let v2 = "Content-Type: application/vnd.kafka.v2+json"
    static let binary = "Accept: application/vnd.kafka.binary.v2+json"

    static func produce(_ stack: Stack, _ topic: String, _ values: [String], via index: Int) throws {
        let records = values.map { #"{"value":"\#(Data($0.utf8).base64EncodedString())"}"# }.joined(separator: ",")
        let answer = try RestProxyQuickstartTests.curl(
            "-X", "POST", "-H", "Content-Type: application/vnd.kafka.binary.v2+json", "--data", #"{"records":[\#(records)]}"#,
            "\(stack.url(index))/topics/\(topic)")
        try #require(answer.status == 200, "\(answer.body)")
        #expect(answer.object.objects("offsets").allSatisfy { $0["error_code"] is NSNull })
    }

    /// The decoded values one records call returns through process `index`. A read ends at the
    /// partition ends it found when it began, so a generous `timeout` costs nothing when the
    /// machine is idle and keeps a loaded one from ending the read at the default second.
    static func read(_ stack: Stack, _ base: String, via index: Int, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String] {
        let answer = try RestProxyQuickstartTests.curl("-H", binary, "\(stack.url(index))\(base)/records?timeout=30000")
        try #require(answer.status == 200, "\(answer.body)", sourceLocation: sourceLocation)
        return answer.array.compactMap { $0.string("value").flatMap { Data(base64Encoded: $0) }.map { String(decoding: $0, as: UTF8.self) } }
    }

    @Test(arguments: BrokerEngine.allCases) func anInstanceCreatedThroughOneProcessIsReadThroughAnother(engine: BrokerEngine) throws {
        let stack = try Stack(engine, processes: 2)
        defer { stack.stop() }
        let topic = uniqueTopic("rest-instances")
        try stack.createTopic(topic)
        let base = "/consumers/my_group/instances/reader"

        let created = try RestProxyQuickstartTests.curl(
            "-X", "POST", "-H", Self.v2, "--data", #"{"name":"reader","format":"binary","auto.offset.reset":"earliest"}"#,
            "\(stack.url(0))/consumers/my_group")
        try #require(created.status == 200, "\(created.body)")
        let subscribed = try RestProxyQuickstartTests.curl(
            "-X", "POST", "-H", Self.v2, "--data", #"{"topics":["\#(topic)"]}"#, "\(stack.url(0))\(base)/subscription")
        try #require(subscribed.status == 204, "\(subscribed.body)")
        try Self.produce(stack, topic, ["one", "two", "three"], via: 0)

        // Process 1 never saw the instance: it reads it from the state topic.
        let subscription = try RestProxyQuickstartTests.curl("\(stack.url(1))\(base)/subscription")
        #expect(subscription.status == 200, "\(subscription.body)")
        #expect(subscription.object["topics"] as? [String] == [topic])
        #expect(Set(try Self.read(stack, base, via: 1)) == [#"{"seed":1}"#, "one", "two", "three"])
        // Nothing new, through either process.
        #expect(try Self.read(stack, base, via: 0) == [])
        #expect(try Self.read(stack, base, via: 1) == [])
        try Self.produce(stack, topic, ["four", "five"], via: 1)
        #expect(Set(try Self.read(stack, base, via: 0)) == ["four", "five"])
        #expect(try Self.read(stack, base, via: 1) == [])

        // Committing what was read puts it in the group's committed offsets.
        let commit = try RestProxyQuickstartTests.curl("-X", "POST", "-H", Self.v2, "\(stack.url(1))\(base)/offsets")
        #expect(commit.status == 200, "\(commit.body)")
        // Every partition has its end committed (the mock's auto-created topics have four, some empty).
        let ids = try RestProxyQuickstartTests.curl("\(stack.url(0))/topics/\(topic)/partitions").array.compactMap { $0.int("partition") }
        var ends: [Int: Int] = [:]
        for id in ids {
            let end = try RestProxyQuickstartTests.curl("\(stack.url(0))/topics/\(topic)/partitions/\(id)/offsets").object.int("end_offset") ?? 0
            ends[id] = end
        }
        let partitions = #"{"partitions":["# + ids.map { #"{"topic":"\#(topic)","partition":\#($0)}"# }.joined(separator: ",") + "]}"
        let committed = try RestProxyQuickstartTests.curl("-X", "GET", "-H", Self.v2, "--data", partitions, "\(stack.url(0))\(base)/offsets")
        #expect(committed.status == 200, "\(committed.body)")
        let committedOffsets = Dictionary(uniqueKeysWithValues: committed.object.objects("offsets").compactMap { entry in
            entry.int("partition").flatMap { partition in entry.int("offset").map { (partition, $0) } }
        })
        #expect(ends.values.reduce(0, +) == 6)
        #expect(committedOffsets == ends)

        let deleted = try RestProxyQuickstartTests.curl("-X", "DELETE", "\(stack.url(1))\(base)")
        #expect(deleted.status == 204, "\(deleted.body)")
        for index in 0..<2 {
            let gone = try RestProxyQuickstartTests.curl("-H", Self.binary, "\(stack.url(index))\(base)/records")
            #expect(gone.status == 404)
            #expect(gone.object.int("error_code") == 40403)
        }
    }

    @Test(arguments: BrokerEngine.allCases) func anIdleInstanceExpires(engine: BrokerEngine) throws {
        // The shortest instance timeout the setting takes, so the test waits about a second.
        let stack = try Stack(engine, processes: 2, environment: ["LAMBDA_KAFKA_REST_CONSUMER_INSTANCE_TIMEOUT_MS": "1000"])
        defer { stack.stop() }
        let created = try RestProxyQuickstartTests.curl(
            "-X", "POST", "-H", Self.v2, "--data", #"{"name":"idle"}"#, "\(stack.url(0))/consumers/my_idle")
        try #require(created.status == 200, "\(created.body)")
        // Every call counts as use: polls further apart than the timeout, until one finds it gone.
        var answer = try RestProxyQuickstartTests.curl("\(stack.url(1))/consumers/my_idle/instances/idle/subscription")
        for _ in 0..<10 where answer.status == 200 {
            Thread.sleep(forTimeInterval: 1.5)
            answer = try RestProxyQuickstartTests.curl("\(stack.url(1))/consumers/my_idle/instances/idle/subscription")
        }
        #expect(answer.status == 404, "\(answer.body)")
        #expect(answer.object.int("error_code") == 40403)
        // Expired through one process is expired through the other.
        let other = try RestProxyQuickstartTests.curl("\(stack.url(0))/consumers/my_idle/instances/idle/subscription")
        #expect(other.object.int("error_code") == 40403)
    }

    /// API callers never read, write or subscribe to the state topic, and use only groups under their prefix.
    @Test(arguments: BrokerEngine.allCases) func theStateTopicAndForeignGroupsAreRefused(engine: BrokerEngine) throws {
        let stack = try Stack(engine)
        defer { stack.stop() }
        let u = stack.url()
        // A first instance makes the state topic exist.
        let created = try RestProxyQuickstartTests.curl(
            "-X", "POST", "-H", Self.v2, "--data", #"{"name":"x"}"#, "\(u)/consumers/my_group")
        try #require(created.status == 200, "\(created.body)")
        let state = "_lambda_kafka_rest_consumers"
        let refused = [
            try RestProxyQuickstartTests.curl(
                "-X", "POST", "-H", "Content-Type: application/vnd.kafka.binary.v2+json", "--data", #"{"records":[{"value":"eA=="}]}"#,
                "\(u)/topics/\(state)"),
            try RestProxyQuickstartTests.curl("\(u)/topics/\(state)/records?from=beginning"),
            try RestProxyQuickstartTests.curl("\(u)/topics/\(state)/partitions/0/offsets"),
            try RestProxyQuickstartTests.curl(
                "-X", "POST", "-H", Self.v2, "--data", #"{"topics":["\#(state)"]}"#, "\(u)/consumers/my_group/instances/x/subscription"),
            try RestProxyQuickstartTests.curl(
                "-X", "POST", "-H", Self.v2, "--data", #"{"partitions":[{"topic":"\#(state)","partition":0}]}"#,
                "\(u)/consumers/my_group/instances/x/assignments"),
        ]
        for answer in refused {
            #expect(answer.status == 403, "\(answer.body)")
            #expect(answer.object.int("error_code") == 40301)
        }
        let topics = try RestProxyQuickstartTests.curl("\(u)/topics")
        #expect(topics.status == 200)
        #expect((topics.json as? [String])?.contains(state) == false)
        // A pattern subscription matching everything still leaves the state topic out.
        let pattern = try RestProxyQuickstartTests.curl(
            "-X", "POST", "-H", Self.v2, "--data", #"{"topic_pattern":".*"}"#, "\(u)/consumers/my_group/instances/x/subscription")
        #expect(pattern.status == 204, "\(pattern.body)")
        let subscribed = try RestProxyQuickstartTests.curl("\(u)/consumers/my_group/instances/x/subscription")
        #expect((subscribed.object["topics"] as? [String])?.contains(state) == false, "\(subscribed.body)")
        #expect(try Self.read(stack, "/consumers/my_group/instances/x", via: 0).allSatisfy { !$0.contains("my_group") })

        for group in ["api-group", "schedule-consumer"] {
            let foreign = try RestProxyQuickstartTests.curl(
                "-X", "POST", "-H", Self.v2, "--data", #"{"name":"x"}"#, "\(u)/consumers/\(group)")
            #expect(foreign.status == 403, "\(foreign.body)")
            #expect(foreign.object.int("error_code") == 40301)
        }
    }
}
