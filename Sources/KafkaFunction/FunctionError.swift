import LambdaRuntime

/// Every error the function answers with. `errorType` is stable (`Function.Reason`), the message
/// says what to fix, and `details` carries structured extras (for example which records were delivered).
public struct FunctionError: LambdaFunctionError, Sendable {
    public enum Kind: String, Sendable {
        case invalidEvent = "Function.InvalidEvent"
        case unknownAction = "Function.UnknownAction"
        case invalidConfiguration = "Function.InvalidConfiguration"
        case topicNotFound = "Function.TopicNotFound"
        case kafkaError = "Function.KafkaError"
        case kafkaTimeout = "Function.KafkaTimeout"
        case produceIncomplete = "Function.ProduceIncomplete"
    }

    public var kind: Kind
    public var errorMessage: String
    public var details: [(key: String, value: JSONValue)]

    public init(_ kind: Kind, _ message: String, details: [(key: String, value: JSONValue)] = []) {
        self.kind = kind
        self.errorMessage = message
        self.details = details
    }

    public var errorType: String { kind.rawValue }

    public var errorBody: [UInt8] {
        var members: [(key: String, value: JSONValue)] = [
            ("errorType", .string(errorType)),
            ("errorMessage", .string(errorMessage)),
        ]
        members += details
        members.append(("stackTrace", .array([])))
        return JSONWriter.serialize(.object(members))
    }

    static func invalidEvent(_ message: String) -> FunctionError {
        FunctionError(.invalidEvent, message)
    }
}
