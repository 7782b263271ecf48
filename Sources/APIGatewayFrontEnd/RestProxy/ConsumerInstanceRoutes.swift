import FunctionCore
import JSON
import Kafka
import KafkaAdminClient
import Logging

/// What every consumer-instance call needs.
struct RestProxyCall {
    var request: APIGatewayRequest
    var clients: any KafkaAccess
    var store: ConsumerInstanceStore
    var invocation: FunctionInvocation

    var deadline: ContinuousClock.Instant { invocation.deadline }
    var logger: Logger { invocation.logger }

    var stateTopic: String { store.settings.stateTopic }

    /// `{scheme}://{host}[/{stage}]`, as the caller reached the API (API Gateway sets X-Forwarded-Proto).
    var baseURL: String {
        let scheme = request.headers["x-forwarded-proto"].flatMap { $0 == "http" || $0 == "https" ? $0 : nil } ?? "https"
        let host = request.headers["host"] ?? request.domainName ?? "localhost"
        return "\(scheme)://\(host)" + (request.stage.map { "/\($0)" } ?? "")
    }
}

/// `POST /consumers/{group}` and everything under `/consumers/{group}/instances/{instance}` but records.
enum ConsumerInstanceRoutes {
    static let namePattern = "1 to 200 of [a-zA-Z0-9._-]"
    /// Live instances at most (each is a few hundred bytes in every environment's copy).
    static let maximumInstances = 10_000

    /// `POST /consumers/{group}`: `instance_id` and `base_uri`.
    static func create(group: String, _ call: RestProxyCall) throws -> JSONValue {
        let body = try RestProxyBody.object(call.request.body)
        let format: EmbeddedFormat
        switch body["format"] {
        case nil, .null?: format = .binary
        case let .string(text)?:
            guard let known = EmbeddedFormat(rawValue: text.lowercased()) else { throw RestProxyProblem.invalidBody("Invalid format type.") }
            format = known
        default: throw RestProxyProblem.invalidBody("Invalid format type.")
        }
        if format.needsSchemaRegistry {
            throw RestProxyProblem.invalidConsumerConfig("the \(format.rawValue) format needs a Schema Registry, and none is configured")
        }
        let name = body["id"]?.stringValue ?? body["name"]?.stringValue ?? "rest-consumer-\(randomIdentifier())"
        guard isValidName(name) else {
            throw RestProxyProblem.invalidBody("name must be \(namePattern)")
        }
        let reset = body["auto.offset.reset"]?.stringValue ?? "latest"
        guard reset == "earliest" || reset == "latest" else {
            throw RestProxyProblem.invalidConsumerConfig("auto.offset.reset must be earliest or latest")
        }
        let autoCommit: Bool
        switch body["auto.commit.enable"] {
        case nil, .null?: autoCommit = true
        case let .bool(flag)?: autoCommit = flag
        case let .string(text)? where text.lowercased() == "true" || text.lowercased() == "false": autoCommit = text.lowercased() == "true"
        default: throw RestProxyProblem.invalidConsumerConfig("auto.commit.enable must be true or false")
        }
        let fetchMinBytes = try integer(body, "fetch.min.bytes", in: -1...Int64(Int32.max))
        let requestTimeout = try integer(body, "consumer.request.timeout.ms", in: 0...Int64(Int32.max)) ?? 1000
        if try call.store.load(group: group, instance: name, deadline: call.deadline) != nil {
            throw RestProxyProblem.alreadyExists
        }
        // Every environment holds every instance's state: their number is what bounds that memory.
        guard call.store.liveCount() < maximumInstances else {
            throw HTTPProblem(429, "Too many consumer instances: at most \(maximumInstances) may exist at once; delete unused ones")
        }
        let state = ConsumerInstanceState(
            group: group, instance: name, format: format, autoOffsetReset: reset, autoCommit: autoCommit,
            requestTimeoutMs: requestTimeout, fetchMinBytes: fetchMinBytes,
            instanceTimeoutMs: call.store.settings.instanceTimeoutMs, lastUsedMs: 0)
        try call.store.save(state, deadline: call.deadline)
        call.store.sweepExpired(limit: 16, deadline: call.deadline)
        let baseURI = "\(call.baseURL)/consumers/\(group)/instances/\(name)"
        return .object([("instance_id", .string(name)), ("base_uri", .string(baseURI))])
    }

    /// `DELETE .../instances/{instance}`.
    static func delete(group: String, instance: String, _ call: RestProxyCall) throws {
        _ = try existing(group: group, instance: instance, call)
        try call.store.delete(group: group, instance: instance, deadline: call.deadline)
    }

    /// `POST .../subscription`: `topics` or `topic_pattern`.
    static func subscribe(group: String, instance: String, _ call: RestProxyCall) throws {
        let body = try RestProxyBody.object(call.request.body)
        var state = try existing(group: group, instance: instance, call)
        guard state.assignment == nil else {
            throw RestProxyProblem.illegalState("Subscription to topics, partitions and pattern are mutually exclusive")
        }
        if case let .array(entries)? = body["topics"] {
            var topics: [String] = []
            for entry in entries {
                guard let topic = entry.stringValue else { throw RestProxyProblem.invalidBody("topics must be topic names") }
                topics.append(try checkedTopic(topic, call))
            }
            state.subscription = .topics(topics)
            state.positions = state.positions.filter { topics.contains($0.key.topic) }
        } else if let pattern = body["topic_pattern"]?.stringValue {
            guard pattern.utf8.count <= 1000, let regex = try? Regex(pattern) else {
                throw RestProxyProblem.invalidBody("topic_pattern must be a regular expression of at most 1000 bytes")
            }
            state.subscription = .pattern(pattern)
            state.positions = state.positions.filter { $0.key.topic.matches(regex) }
        } else {
            throw RestProxyProblem.invalidBody("topics or topic_pattern is required")
        }
        try call.store.save(state, deadline: call.deadline)
    }

    /// `GET .../subscription`: the topics subscribed to (for a pattern, those it matches now).
    static func subscription(group: String, instance: String, _ call: RestProxyCall) throws -> JSONValue {
        let state = try existing(group: group, instance: instance, call)
        try call.store.save(state, deadline: call.deadline)
        return .object([("topics", .array(try subscribedTopics(state, call).map(JSONValue.string)))])
    }

    /// `DELETE .../subscription`.
    static func unsubscribe(group: String, instance: String, _ call: RestProxyCall) throws {
        var state = try existing(group: group, instance: instance, call)
        state.subscription = nil
        state.assignment = nil
        state.positions = [:]
        try call.store.save(state, deadline: call.deadline)
    }

    /// `POST .../assignments`: `{"partitions":[{"topic":...,"partition":...}]}`.
    static func assign(group: String, instance: String, _ call: RestProxyCall) throws {
        let partitions = try partitionList(try RestProxyBody.object(call.request.body), call)
        var state = try existing(group: group, instance: instance, call)
        guard state.subscription == nil else {
            throw RestProxyProblem.illegalState("Subscription to topics, partitions and pattern are mutually exclusive")
        }
        state.assignment = partitions
        state.positions = state.positions.filter { partitions.contains($0.key) }
        try call.store.save(state, deadline: call.deadline)
    }

    /// `GET .../assignments`.
    static func assignments(group: String, instance: String, _ call: RestProxyCall) throws -> JSONValue {
        let state = try existing(group: group, instance: instance, call)
        try call.store.save(state, deadline: call.deadline)
        let partitions: [TopicPartitionName]
        if let assignment = state.assignment {
            partitions = assignment
        } else {
            // A subscribed instance owns every partition of its topics (there is no group rebalance).
            var all: [TopicPartitionName] = []
            for topic in try subscribedTopics(state, call) {
                let ids = try call.clients.admin().lookUpTopic(topic, deadline: call.deadline).topic?.partitions ?? []
                all += ids.map { TopicPartitionName(topic: topic, partition: $0) }
            }
            partitions = all
        }
        return .object([("partitions", .array(partitions.map(render)))])
    }

    /// `POST .../positions`: `{"offsets":[{"topic":...,"partition":...,"offset":...}]}`.
    static func seek(group: String, instance: String, _ call: RestProxyCall) throws {
        let body = try RestProxyBody.object(call.request.body)
        var state = try existing(group: group, instance: instance, call)
        guard case let .array(entries)? = body["offsets"] else { throw RestProxyProblem.invalidBody("offsets is required") }
        if case let .array(timestamps)? = body["timestamps"], !timestamps.isEmpty {
            throw RestProxyProblem.invalidBody("seeking to timestamps is not supported; give offsets")
        }
        for entry in entries {
            guard let name = TopicPartitionName(json: entry), let offset = entry["offset"]?.int64Value, offset >= 0 else {
                throw RestProxyProblem.invalidBody("each offset needs topic, partition and a non-negative offset")
            }
            try requireAssigned(name, state, call)
            state.positions[name] = offset
        }
        try call.store.save(state, deadline: call.deadline)
    }

    /// `POST .../positions/beginning` and `.../positions/end`: `{"partitions":[...]}`.
    static func seekToEdge(group: String, instance: String, end: Bool, _ call: RestProxyCall) throws {
        let partitions = try partitionList(try RestProxyBody.object(call.request.body), call)
        var state = try existing(group: group, instance: instance, call)
        let admin = try call.clients.admin()
        for name in partitions {
            try requireAssigned(name, state, call)
            state.positions[name] = try admin.offset(
                topic: name.topic, partition: name.partition, query: end ? .latest : .earliest, deadline: call.deadline)
        }
        try call.store.save(state, deadline: call.deadline)
    }

    /// `POST .../offsets`: commits the given offsets (each plus one, as Kafka's consumer is told
    /// the last record processed), or with no body every position the instance has read to.
    static func commit(group: String, instance: String, _ call: RestProxyCall) throws -> JSONValue {
        let body = try RestProxyBody.object(call.request.body)
        let state = try existing(group: group, instance: instance, call)
        var offsets: [TopicPartitionName: Int64] = [:]
        if case let .array(entries)? = body["offsets"] {
            for entry in entries {
                guard let name = TopicPartitionName(json: entry), let offset = entry["offset"]?.int64Value, offset >= 0 else {
                    throw RestProxyProblem.invalidBody("each offset needs topic, partition and a non-negative offset")
                }
                _ = try checkedTopic(name.topic, call)
                offsets[name] = offset + 1
            }
        } else {
            offsets = state.positions
        }
        try commitToGroup(offsets, group: group, call)
        try call.store.save(state, deadline: call.deadline)
        return .array([])
    }

    /// `GET .../offsets` with `{"partitions":[...]}`: the group's committed offsets.
    static func committed(group: String, instance: String, _ call: RestProxyCall) throws -> JSONValue {
        let body = try RestProxyBody.object(call.request.body)
        guard body["partitions"] != nil else { throw RestProxyProblem.partitionNotFound }
        let partitions = try partitionList(body, call)
        let state = try existing(group: group, instance: instance, call)
        var entries: [JSONValue] = []
        let consumer = try call.clients.consumer()
        for (topic, names) in Dictionary(grouping: partitions, by: \.topic).sorted(by: { $0.key < $1.key }) {
            let committed = try consumer.committed(groupID: group, topic: topic, partitions: names.map(\.partition), deadline: call.deadline)
            for name in names.sorted(by: { $0.partition < $1.partition }) {
                guard let offset = committed[name.partition] else { continue }
                entries.append(.object([
                    ("topic", .string(topic)), ("partition", .integer(name.partition)), ("offset", .integer(offset)), ("metadata", .string("")),
                ]))
            }
        }
        try call.store.save(state, deadline: call.deadline)
        return .object([("offsets", .array(entries))])
    }

    // MARK: - Shared with the records read

    /// The instance, or 40403 when it does not exist or has expired.
    static func existing(group: String, instance: String, _ call: RestProxyCall) throws -> ConsumerInstanceState {
        guard let state = try call.store.load(group: group, instance: instance, deadline: call.deadline) else {
            throw RestProxyProblem.instanceNotFound
        }
        return state
    }

    /// The topics a subscription reads now: the listed ones, or those the pattern matches whole.
    static func subscribedTopics(_ state: ConsumerInstanceState, _ call: RestProxyCall) throws -> [String] {
        switch state.subscription {
        case nil: return []
        case let .topics(topics)?: return topics
        case let .pattern(pattern)?:
            guard let regex = try? Regex(pattern) else { return [] }
            return try call.clients.admin().listTopics(deadline: call.deadline).map(\.name)
                .filter { $0 != call.stateTopic && $0.matches(regex) }
        }
    }

    static func commitToGroup(_ offsets: [TopicPartitionName: Int64], group: String, _ call: RestProxyCall) throws {
        let consumer = try call.clients.consumer()
        for (topic, entries) in Dictionary(grouping: offsets, by: \.key.topic) {
            let perPartition = Dictionary(uniqueKeysWithValues: entries.map { ($0.key.partition, $0.value) })
            try consumer.commit(groupID: group, topic: topic, offsets: perPartition, deadline: call.deadline)
        }
    }

    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 200 && name.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }

    // MARK: - Helpers

    /// A valid topic name that is not the state topic (API callers never read or write it).
    static func checkedTopic(_ topic: String, _ call: RestProxyCall) throws -> String {
        do {
            _ = try TopicName.validate(topic, field: "topic")
        } catch {
            throw RestProxyProblem.invalidBody(error.errorMessage.replacingFieldWording("member"))
        }
        guard topic != call.stateTopic else { throw RestProxyProblem.stateTopicRefused }
        return topic
    }

    private static func partitionList(_ body: JSONValue, _ call: RestProxyCall) throws -> [TopicPartitionName] {
        guard case let .array(entries)? = body["partitions"] else { throw RestProxyProblem.invalidBody("partitions is required") }
        var names: [TopicPartitionName] = []
        for entry in entries {
            guard let name = TopicPartitionName(json: entry) else {
                throw RestProxyProblem.invalidBody("each partition needs a topic and a non-negative partition")
            }
            _ = try checkedTopic(name.topic, call)
            if !names.contains(name) { names.append(name) }
        }
        return names
    }

    private static func requireAssigned(_ name: TopicPartitionName, _ state: ConsumerInstanceState, _ call: RestProxyCall) throws {
        let assigned: Bool
        if let assignment = state.assignment {
            assigned = assignment.contains(name)
        } else {
            assigned = try subscribedTopics(state, call).contains(name.topic)
        }
        guard assigned else { throw RestProxyProblem.illegalState("No current assignment for partition \(name.topic)-\(name.partition)") }
    }

    private static func integer(_ body: JSONValue, _ name: String, in range: ClosedRange<Int64>) throws -> Int64? {
        switch body[name] {
        case nil, .null?: return nil
        case let .number(text)?:
            if let value = Int64(text), range.contains(value) { return value }
        case let .string(text)?:
            if let value = Int64(text), range.contains(value) { return value }
        default: break
        }
        throw RestProxyProblem.invalidConsumerConfig("\(name) must be an integer from \(range.lowerBound) to \(range.upperBound)")
    }

    static func render(_ name: TopicPartitionName) -> JSONValue {
        .object([("topic", .string(name.topic)), ("partition", .integer(name.partition))])
    }

    /// 128 random bits as a UUID-shaped string.
    private static func randomIdentifier() -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = (0..<32).map { _ in String(UInt8.random(in: 0..<16, using: &generator), radix: 16) }.joined()
        let parts = [digits.prefix(8), digits.dropFirst(8).prefix(4), digits.dropFirst(12).prefix(4), digits.dropFirst(16).prefix(4), digits.dropFirst(20)]
        return parts.joined(separator: "-")
    }
}

extension String {
    /// The whole name matches (Java's `Matcher.matches`, which the REST proxy's patterns use).
    func matches(_ regex: Regex<AnyRegexOutput>) -> Bool {
        (try? regex.wholeMatch(in: self)) != nil
    }
}
