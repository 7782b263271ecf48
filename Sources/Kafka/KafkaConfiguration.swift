/// How to reach and authenticate to the Kafka cluster, read from the environment.
public struct KafkaConfiguration: Sendable {
    /// Comma-separated `host:port` list (`KAFKA_ENDPOINT`).
    public var bootstrapServers: String
    public var security: KafkaSecurity
    /// Extra librdkafka properties from `KAFKA_CONFIG_<NAME>` variables, already validated, sorted by name.
    public var properties: [(String, String)]

    public init(bootstrapServers: String, security: KafkaSecurity = .plaintext, properties: [(String, String)] = []) {
        self.bootstrapServers = bootstrapServers
        self.security = security
        self.properties = properties
    }

    static let propertyPrefix = "KAFKA_CONFIG_"

    public static func fromEnvironment(_ env: [String: String]) throws(KafkaConfigurationError) -> KafkaConfiguration {
        guard let endpoint = env["KAFKA_ENDPOINT"]?.trimmingSpaces, !endpoint.isEmpty else {
            throw KafkaConfigurationError(variable: "KAFKA_ENDPOINT", message: "is required (comma-separated host:port list)")
        }
        let security = try KafkaSecurity.fromEnvironment(env)
        var properties: [(String, String)] = []
        for (variable, value) in env where variable.hasPrefix(propertyPrefix) {
            let name = propertyName(forVariable: variable)
            try validateProperty(name: name, value: value, variable: variable)
            properties.append((name, value))
        }
        properties.sort { $0.0 < $1.0 }
        return KafkaConfiguration(bootstrapServers: endpoint, security: security, properties: properties)
    }

    /// `KAFKA_CONFIG_LINGER_MS` -> `linger.ms`.
    static func propertyName(forVariable variable: String) -> String {
        String(variable.dropFirst(propertyPrefix.count)).lowercased().replacingUnderscoresWithDots
    }

    private static func validateProperty(name: String, value: String, variable: String) throws(KafkaConfigurationError) {
        guard !name.isEmpty else {
            throw KafkaConfigurationError(variable: variable, message: "names no librdkafka property")
        }
        if let owner = NativeConfiguration.ownerOfSecurityProperty(name) {
            throw KafkaConfigurationError(variable: variable, message: "may not set '\(name)': \(owner)")
        }
        if let reason = NativeConfiguration.validate(name: name, value: value) {
            throw KafkaConfigurationError(variable: variable, message: "is not a valid setting for '\(name)': \(reason)")
        }
    }
}

public struct KafkaConfigurationError: Error, Sendable, CustomStringConvertible {
    /// The environment variable at fault.
    public var variable: String
    public var message: String

    public init(variable: String, message: String) {
        self.variable = variable
        self.message = message
    }

    public var description: String { "\(variable) \(message)" }
}

extension String {
    var trimmingSpaces: String {
        var view = Substring(self)
        while let first = view.first, first.isWhitespace { view.removeFirst() }
        while let last = view.last, last.isWhitespace { view.removeLast() }
        return String(view)
    }

    var replacingUnderscoresWithDots: String {
        String(map { $0 == "_" ? "." : $0 })
    }
}
