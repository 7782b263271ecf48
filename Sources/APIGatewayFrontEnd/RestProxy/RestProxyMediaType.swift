import Encoding
import FunctionCore
import JSON
import Kafka

/// The embedded formats of the Kafka REST proxy v2: how a record's key and value travel inside the
/// JSON of a request or answer.
enum EmbeddedFormat: String, Sendable, CaseIterable {
    /// Base64 in JSON, raw bytes in Kafka. The proxy's default.
    case binary
    /// Any JSON value in JSON; its JSON serialisation in Kafka.
    case json
    /// The schema formats need a Schema Registry, which the function has not.
    case avro, jsonschema, protobuf

    var needsSchemaRegistry: Bool {
        switch self {
        case .binary, .json: false
        case .avro, .jsonschema, .protobuf: true
        }
    }

    /// `application/vnd.kafka.<format>.v2+json`.
    var mediaType: String { "application/vnd.kafka.\(rawValue).v2+json" }
}

/// Content-Type and Accept headers as the REST proxy reads them.
enum RestProxyMediaType {
    /// The type of every answer but records.
    static let v2JSON = "application/vnd.kafka.v2+json"

    /// What a media type names: an embedded format, the plain v2 type, or something else.
    enum Kind: Equatable {
        case embedded(EmbeddedFormat)
        /// `application/vnd.kafka.v2+json`, `application/vnd.kafka+json`.
        case plainV2
        /// `application/json`.
        case json
        /// `*/*` or `application/*`.
        case any
        case other
    }

    static func kind(of mediaType: Substring) -> Kind {
        let type = (mediaType.split(separator: ";").first ?? "").trimmingSpaces().lowercased()
        switch type {
        case "*/*", "application/*": return .any
        case "application/json": return .json
        case "application/vnd.kafka.v2+json", "application/vnd.kafka+json": return .plainV2
        default: break
        }
        for format in EmbeddedFormat.allCases where type == format.mediaType || type == "application/vnd.kafka.\(format.rawValue)+json" {
            return .embedded(format)
        }
        return .other
    }

    /// The body's format for a produce: an embedded format's type, or `application/json` (taken as `json`).
    static func produceFormat(contentType: String?) throws(HTTPProblem) -> EmbeddedFormat {
        switch contentType.map({ kind(of: Substring($0)) }) {
        case let .embedded(format)?: return format
        case .json?: return .json
        default: throw RestProxyProblem.unsupportedMediaType
        }
    }

    /// A request body that is not a v2 JSON type (any embedded format is allowed, as the proxy does).
    static func checkBodyType(_ contentType: String?, body: [UInt8]) throws(HTTPProblem) {
        guard let contentType else {
            if body.isEmpty { return }
            throw RestProxyProblem.unsupportedMediaType
        }
        switch kind(of: Substring(contentType)) {
        case .embedded, .plainV2, .json: return
        case .any, .other: throw RestProxyProblem.unsupportedMediaType
        }
    }

    /// The media ranges of an Accept header, in order; empty when the header is absent.
    private static func ranges(_ accept: String?) -> [Kind] {
        guard let accept, !accept.isEmpty else { return [] }
        return accept.split(separator: ",").map { kind(of: $0) }
    }

    /// The answer's content type for anything but records; 406 when the caller accepts none of them.
    static func answerType(accept: String?) throws(HTTPProblem) -> String {
        let ranges = ranges(accept)
        if ranges.isEmpty { return v2JSON }
        for range in ranges {
            switch range {
            case .plainV2, .any, .embedded: return v2JSON
            case .json: return "application/json"
            case .other: continue
            }
        }
        throw RestProxyProblem.notAcceptable
    }

    /// The format a records read asks for: its embedded type, or binary for the plain v2 type (as
    /// the proxy serves it); 406 when the caller accepts none of them.
    static func readFormat(accept: String?) throws(HTTPProblem) -> EmbeddedFormat {
        let ranges = ranges(accept)
        if ranges.isEmpty { return .binary }
        for range in ranges {
            switch range {
            case let .embedded(format): return format
            case .plainV2, .any, .json: return .binary
            case .other: continue
            }
        }
        throw RestProxyProblem.notAcceptable
    }
}

extension Substring {
    package func trimmingSpaces() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
