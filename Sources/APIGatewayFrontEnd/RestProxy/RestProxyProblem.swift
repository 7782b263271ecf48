import FunctionCore
import JSON
import Kafka

/// The Kafka REST proxy v2's error answers (status, `error_code`, message), as its `Errors` names them.
enum RestProxyProblem {
    static let topicNotFound = HTTPProblem.topicNotFound
    static let partitionNotFound = HTTPProblem(404, "Partition not found.", errorCode: 40402)
    static let instanceNotFound = HTTPProblem(404, "Consumer instance not found.", errorCode: 40403)
    static let formatMismatch = HTTPProblem(
        406, "The requested embedded data format does not match the deserializer for this consumer instance", errorCode: 40601)
    static let alreadyExists = HTTPProblem(
        409, "Consumer with specified consumer ID already exists in the specified consumer group.", errorCode: 40902)
    static let unsupportedMediaType = HTTPProblem(
        415, "HTTP 415 Unsupported Media Type: the Content-Type must be application/vnd.kafka.{binary,json}.v2+json, application/vnd.kafka.v2+json or application/json")
    static let notAcceptable = HTTPProblem(
        406, "HTTP 406 Not Acceptable: the answer is application/vnd.kafka[.{binary,json}].v2+json or application/json")
    static let stateTopicRefused = HTTPProblem(403, "Not authorized to access this topic.", errorCode: 40301)

    /// 40903: the call does not fit the instance's state (Kafka's consumer would throw IllegalStateException).
    static func illegalState(_ detail: String) -> HTTPProblem {
        HTTPProblem(409, "Illegal state: \(detail)", errorCode: 40903)
    }

    /// 42204: a consumer setting the function cannot honour.
    static func invalidConsumerConfig(_ detail: String) -> HTTPProblem {
        HTTPProblem(422, "Invalid consumer configuration: \(detail)", errorCode: 42204)
    }

    /// 42206: a schema was given, and there is no Schema Registry.
    static let schemaRegistryMissing = HTTPProblem(
        422, "Payload error. Schema Registry must be configured when using schemas.", errorCode: 42206)
    /// 42207: a schema format without a schema, and no Schema Registry to serialise with.
    static let schemaSerializerMissing = HTTPProblem(
        422, "Error serializing message. Schema Registry not defined, no Schema Registry client available to serialize message.",
        errorCode: 42207)

    /// 422 with the proxy's generic constraint code, for a body whose fields are wrong.
    static func invalidBody(_ detail: String) -> HTTPProblem {
        HTTPProblem(422, detail, errorCode: 42200)
    }

    /// 400: the body is not JSON at all.
    static func malformedBody(_ detail: String) -> HTTPProblem {
        HTTPProblem(400, "Bad Request: \(detail)", errorCode: 400)
    }
}
