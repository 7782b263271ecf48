import FunctionCore
import JSON
import LambdaRuntime

/// A topic and partition as REST proxy bodies name them.
struct TopicPartitionName: Hashable, Sendable {
    var topic: String
    var partition: Int32
}

/// Everything a REST proxy consumer instance is, kept in the state topic (one record per change,
/// keyed by group and instance) so that any execution environment can serve its next call.
struct ConsumerInstanceState: Equatable, Sendable {
    enum Subscription: Equatable, Sendable {
        case topics([String])
        case pattern(String)
    }

    var group: String
    var instance: String
    var format: EmbeddedFormat
    /// `earliest` or `latest`: where a partition with no position and no committed offset starts.
    var autoOffsetReset: String
    var autoCommit: Bool
    /// `consumer.request.timeout.ms`: how long a records read may wait, unless its `timeout` says otherwise.
    var requestTimeoutMs: Int64
    var fetchMinBytes: Int64?
    /// Idle this long, the instance is gone (`consumer.instance.timeout.ms`).
    var instanceTimeoutMs: Int64
    /// Wall-clock milliseconds of the last call.
    var lastUsedMs: Int64
    var subscription: Subscription?
    var assignment: [TopicPartitionName]?
    /// The next offset each partition returns.
    var positions: [TopicPartitionName: Int64] = [:]

    func isExpired(nowMs: Int64) -> Bool { nowMs - lastUsedMs > instanceTimeoutMs }

    /// The state record's key: group and instance as a JSON array, unambiguous whatever they contain.
    static func key(group: String, instance: String) -> [UInt8] {
        JSONWriter.serialize(.array([.string(group), .string(instance)]))
    }

    var key: [UInt8] { Self.key(group: group, instance: instance) }

    func serialized() -> [UInt8] {
        var members: [(key: String, value: JSONValue)] = [
            ("v", .integer(1)), ("group", .string(group)), ("instance", .string(instance)), ("format", .string(format.rawValue)),
            ("auto_offset_reset", .string(autoOffsetReset)), ("auto_commit", .bool(autoCommit)),
            ("request_timeout_ms", .integer(requestTimeoutMs)), ("fetch_min_bytes", fetchMinBytes.map { .integer($0) } ?? .null),
            ("instance_timeout_ms", .integer(instanceTimeoutMs)), ("last_used_ms", .integer(lastUsedMs)),
        ]
        switch subscription {
        case let .topics(topics)?: members.append(("topics", .array(topics.map(JSONValue.string))))
        case let .pattern(pattern)?: members.append(("topic_pattern", .string(pattern)))
        case nil: break
        }
        if let assignment {
            members.append(("assignment", .array(assignment.map { .object([("topic", .string($0.topic)), ("partition", .integer($0.partition))]) })))
        }
        let sorted = positions.sorted { ($0.key.topic, $0.key.partition) < ($1.key.topic, $1.key.partition) }
        members.append(("positions", .array(sorted.map {
            .object([("topic", .string($0.key.topic)), ("partition", .integer($0.key.partition)), ("offset", .integer($0.value))])
        })))
        return JSONWriter.serialize(.object(members))
    }

    /// nil for a record this version cannot read (it is then treated as absent).
    init?(serialized bytes: [UInt8]) {
        guard let document = try? JSONParser.parse(bytes),
              case .number("1")? = document["v"],
              let group = document["group"]?.stringValue, let instance = document["instance"]?.stringValue,
              let format = document["format"]?.stringValue.flatMap(EmbeddedFormat.init(rawValue:)),
              let reset = document["auto_offset_reset"]?.stringValue,
              case let .bool(autoCommit)? = document["auto_commit"],
              let requestTimeout = document["request_timeout_ms"]?.int64Value,
              let instanceTimeout = document["instance_timeout_ms"]?.int64Value,
              let lastUsed = document["last_used_ms"]?.int64Value
        else { return nil }
        self.init(
            group: group, instance: instance, format: format, autoOffsetReset: reset, autoCommit: autoCommit,
            requestTimeoutMs: requestTimeout, fetchMinBytes: document["fetch_min_bytes"]?.int64Value,
            instanceTimeoutMs: instanceTimeout, lastUsedMs: lastUsed)
        if case let .array(topics)? = document["topics"] {
            subscription = .topics(topics.compactMap(\.stringValue))
        } else if let pattern = document["topic_pattern"]?.stringValue {
            subscription = .pattern(pattern)
        }
        if case let .array(entries)? = document["assignment"] {
            assignment = entries.compactMap(TopicPartitionName.init(json:))
        }
        if case let .array(entries)? = document["positions"] {
            for entry in entries {
                guard let name = TopicPartitionName(json: entry), let offset = entry["offset"]?.int64Value else { continue }
                positions[name] = offset
            }
        }
    }

    init(
        group: String, instance: String, format: EmbeddedFormat, autoOffsetReset: String, autoCommit: Bool,
        requestTimeoutMs: Int64, fetchMinBytes: Int64?, instanceTimeoutMs: Int64, lastUsedMs: Int64
    ) {
        self.group = group
        self.instance = instance
        self.format = format
        self.autoOffsetReset = autoOffsetReset
        self.autoCommit = autoCommit
        self.requestTimeoutMs = requestTimeoutMs
        self.fetchMinBytes = fetchMinBytes
        self.instanceTimeoutMs = instanceTimeoutMs
        self.lastUsedMs = lastUsedMs
    }
}

extension TopicPartitionName {
    /// From `{"topic":...,"partition":...}`.
    init?(json: JSONValue) {
        guard let topic = json["topic"]?.stringValue, let partition = json["partition"]?.int64Value,
              let narrow = Int32(exactly: partition), narrow >= 0 else { return nil }
        self.init(topic: topic, partition: narrow)
    }
}

extension JSONValue {
    var int64Value: Int64? {
        if case let .number(text) = self { return Int64(text) }
        return nil
    }
}
