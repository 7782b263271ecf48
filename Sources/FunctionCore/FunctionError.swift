import JSON
import LambdaRuntime
import PostgresSink

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
        /// The caller may not do this (an HTTP API caller's consumer group outside its prefix).
        case forbidden = "Function.Forbidden"
        // The sink's failures (`SinkError`), with the same names.
        case databaseUnavailable = "Function.DatabaseUnavailable"
        case tableMismatch = "Function.TableMismatch"
        case invalidRecord = "Function.InvalidRecord"
        case databaseError = "Function.DatabaseError"
        case tableNotFound = "Function.TableNotFound"
        case databaseAuthFailed = "Function.DatabaseAuthFailed"

        /// The sink's failures keep the runtime's standard error body (`LambdaErrorBody`).
        var isSinkFailure: Bool {
            switch self {
            case .databaseUnavailable, .tableMismatch, .invalidRecord, .databaseError, .tableNotFound, .databaseAuthFailed: true
            case .invalidEvent, .unknownAction, .invalidConfiguration, .topicNotFound, .kafkaError, .kafkaTimeout,
                 .produceIncomplete, .forbidden: false
            }
        }
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
        if kind.isSinkFailure, details.isEmpty {
            return LambdaErrorBody.encode(errorType: errorType, errorMessage: errorMessage)
        }
        var members: [(key: String, value: JSONValue)] = [
            ("errorType", .string(errorType)),
            ("errorMessage", .string(errorMessage)),
        ]
        members += details
        members.append(("stackTrace", .array([])))
        return JSONWriter.serialize(.object(members))
    }

    package static func invalidEvent(_ message: String) -> FunctionError {
        FunctionError(.invalidEvent, message)
    }
}

extension FunctionError {
    /// A sink failure as a function error, so the event source mapping retries the batch.
    package init(_ error: SinkError) {
        let kind: Kind = switch error.kind {
        case .databaseUnavailable: .databaseUnavailable
        case .tableMismatch: .tableMismatch
        case .invalidRecord: .invalidRecord
        case .writeFailed: .databaseError
        case .tableNotFound: .tableNotFound
        case .authenticationFailed: .databaseAuthFailed
        case .topicNotConfigured: .invalidConfiguration
        }
        self.init(kind, error.message)
    }
}
