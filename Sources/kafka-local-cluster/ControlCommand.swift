import CRdKafka

/// One fault-injection command read from stdin.
enum ControlCommand {
    case brokerDown(Int32)
    case brokerUp(Int32)
    case roundTripTime(broker: Int32, milliseconds: Int32)
    case leader(topic: String, partition: Int32, broker: Int32)
    case createTopic(name: String, partitions: Int32, replicationFactor: Int32)
    case requestErrors(apiKey: Int16, errors: [rd_kafka_resp_err_t])
    case clearErrors

    init(parsing line: String) throws {
        let words = line.split(whereSeparator: \.isWhitespace).map(String.init)
        let arguments = Array(words.dropFirst())
        func expect(_ count: Int, _ usage: String) throws {
            guard arguments.count == count else { throw MockClusterError(description: "usage: \(usage)") }
        }
        switch words.first ?? "" {
        case "broker-down":
            try expect(1, "broker-down <id>")
            self = .brokerDown(try number(arguments[0], "broker id"))
        case "broker-up":
            try expect(1, "broker-up <id>")
            self = .brokerUp(try number(arguments[0], "broker id"))
        case "rtt":
            try expect(2, "rtt <broker-id> <ms>")
            self = .roundTripTime(broker: try number(arguments[0], "broker id"), milliseconds: try number(arguments[1], "milliseconds"))
        case "leader":
            try expect(3, "leader <topic> <partition> <broker-id>")
            self = .leader(topic: arguments[0], partition: try number(arguments[1], "partition"), broker: try number(arguments[2], "broker id"))
        case "create-topic":
            try expect(3, "create-topic <name> <partitions> <replication>")
            self = .createTopic(
                name: arguments[0], partitions: try number(arguments[1], "partitions"),
                replicationFactor: try number(arguments[2], "replication factor"))
        case "request-errors":
            guard arguments.count >= 2 else { throw MockClusterError(description: "usage: request-errors <api-key> <error-code|ERROR_NAME>...") }
            self = .requestErrors(apiKey: try number(arguments[0], "api key"), errors: try arguments.dropFirst().map(errorCode))
        case "clear-errors":
            try expect(0, "clear-errors")
            self = .clearErrors
        case let other:
            throw MockClusterError(description: "unknown command '\(other.prefix(40))'")
        }
    }

    func apply(to cluster: MockCluster) throws {
        switch self {
        case .brokerDown(let id): try cluster.setBroker(id, up: false)
        case .brokerUp(let id): try cluster.setBroker(id, up: true)
        case .roundTripTime(let id, let milliseconds): try cluster.setRoundTripTime(broker: id, milliseconds: milliseconds)
        case .leader(let topic, let partition, let id): try cluster.setLeader(topic: topic, partition: partition, broker: id)
        case .createTopic(let name, let partitions, let replicationFactor):
            try cluster.createTopic(name, partitions: partitions, replicationFactor: replicationFactor)
        case .requestErrors(let apiKey, let errors): cluster.pushRequestErrors(apiKey: apiKey, errors: errors)
        case .clearErrors: cluster.clearRequestErrors()
        }
    }
}

private func number<Number: FixedWidthInteger>(_ text: String, _ what: String) throws -> Number {
    guard let value = Number(text) else { throw MockClusterError(description: "'\(text)' is not a valid \(what)") }
    return value
}

/// A numeric `rd_kafka_resp_err_t` or librdkafka's name for it (`NOT_LEADER_FOR_PARTITION`).
private func errorCode(_ text: String) throws -> rd_kafka_resp_err_t {
    if let value = Int32(text) { return rd_kafka_resp_err_t(rawValue: value) }
    var descriptions: UnsafePointer<rd_kafka_err_desc>?
    var count = 0
    rd_kafka_get_err_descs(&descriptions, &count)
    if let descriptions {
        for description in UnsafeBufferPointer(start: descriptions, count: count) {
            if let name = description.name, String(cString: name) == text { return description.code }
        }
    }
    throw MockClusterError(description: "'\(text)' is not a librdkafka error code or name")
}
