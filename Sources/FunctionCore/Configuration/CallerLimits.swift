import JSON

/// Least privilege for callers: how many partitions a direct event may ask for, whether it may
/// create topics at all, and which consumer groups HTTP API callers may use (kept apart from the
/// schedule's group, so an API caller cannot move the schedule's offsets).
package struct CallerLimits: Sendable {
    package static let maxPartitionsVariable = "LAMBDA_KAFKA_MAX_PARTITIONS"
    package static let createTopicsVariable = "LAMBDA_KAFKA_CREATE_TOPICS"
    package static let apiGroupPrefixVariable = "LAMBDA_KAFKA_API_GROUP_PREFIX"
    package static let defaultAPIGroupPrefix = "api-"

    /// The most partitions a direct event may ask a new topic to have (`num_partitions`).
    package var maxPartitions: Int32 = 64
    /// Whether direct events may create a missing topic (HTTP API callers never may).
    package var createTopics = true
    /// Every consumer group an HTTP API caller names must start with this.
    package var apiGroupPrefix = defaultAPIGroupPrefix

    package init() {}

    package init(_ environment: Environment) throws(ConfigurationError) {
        maxPartitions = Int32(try environment.integer(Self.maxPartitionsVariable, in: 1...100_000, default: 64))
        createTopics = try environment.flag(Self.createTopicsVariable, default: true)
        if let prefix = environment.text(Self.apiGroupPrefixVariable) {
            guard prefix.utf8.count <= 200, prefix.utf8.allSatisfy(Self.isGroupCharacter) else {
                throw ConfigurationError(Self.apiGroupPrefixVariable, "must be 1 to 200 of [a-zA-Z0-9._-]")
            }
            apiGroupPrefix = prefix
        }
    }

    private static func isGroupCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default:
            false
        }
    }

    /// Refuses a direct produce event that asks for more than the allowed partitions, before Kafka is contacted.
    package func check(_ request: ProduceRequest) throws(FunctionError) {
        guard request.createTopic, request.numPartitions > maxPartitions else { return }
        throw FunctionError(
            .invalidEvent,
            "Field 'num_partitions' must be at most \(maxPartitions) (\(Self.maxPartitionsVariable)), got \(request.numPartitions)",
            details: [("max_partitions", .integer(Int(maxPartitions)))])
    }

    /// The request as the function will run it: no topic creation when creating topics is off.
    package func applied(to request: ProduceRequest) -> ProduceRequest {
        var request = request
        if !createTopics { request.createTopic = false }
        return request
    }

    /// Refuses an HTTP API caller's consumer group outside the API prefix.
    package func checkAPIGroup(_ groupID: String?) throws(FunctionError) {
        guard let groupID, !groupID.hasPrefix(apiGroupPrefix) else { return }
        throw FunctionError(
            .forbidden, "Consumer group '\(groupID.truncatedForMessage)' is not allowed: group_id must start with '\(apiGroupPrefix)'")
    }
}
