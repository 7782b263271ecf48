import FunctionCore
import JSON
import Encoding

/// An API Gateway proxy event, REST API (payload 1.0) or HTTP API (payload 2.0), reduced to
/// what routing needs.
package struct APIGatewayRequest {
    package var method: String
    /// Percent-decoded path segments, without the stage prefix.
    package var pathSegments: [String]
    package var query: [String: String]
    /// Lower-cased names.
    package var headers: [String: String]
    package var body: [UInt8]
    /// The API's stage, when the event names one other than `$default`.
    package var stage: String? = nil
    /// The request context's domain name (the host the caller used).
    package var domainName: String? = nil

    package static func isAPIGatewayEvent(_ document: JSONValue) -> Bool {
        guard document["requestContext"] != nil else { return false }
        if case .string("2.0") = document["version"], document["rawPath"] != nil { return true }
        if case .string = document["httpMethod"] { return true }
        return false
    }

    package static func decode(_ document: JSONValue) throws(HTTPProblem) -> APIGatewayRequest {
        let context = document["requestContext"]
        // Lookups take the first of repeated members: an event that repeats one is ambiguous.
        for part in [document, context, context?["http"]] {
            if let duplicate = part?.firstDuplicateKey {
                throw HTTPProblem(400, "The API Gateway event has the member '\(duplicate.truncatedForMessage)' more than once")
            }
        }
        let method: String?
        let path: String?
        if case .string("2.0") = document["version"] {
            method = context?["http"]?["method"]?.stringValue
            path = document["rawPath"]?.stringValue
        } else {
            method = document["httpMethod"]?.stringValue
            path = document["path"]?.stringValue
        }
        guard let method, let path else {
            throw HTTPProblem(400, "The API Gateway event has no HTTP method or path")
        }
        var segments = try path.split(separator: "/").map { segment throws(HTTPProblem) in
            guard let decoded = percentDecode(segment) else {
                throw HTTPProblem(400, "The request path is not valid percent-encoded UTF-8")
            }
            return decoded
        }
        let stage = context?["stage"]?.stringValue.flatMap { $0 == "$default" ? nil : $0 }
        if let stage, segments.first == stage {
            segments.removeFirst()
        }
        return APIGatewayRequest(
            method: method.uppercased(),
            pathSegments: segments,
            query: stringMap(document["queryStringParameters"], lowercasingKeys: false),
            headers: stringMap(document["headers"], lowercasingKeys: true),
            body: try body(of: document), stage: stage, domainName: context?["domainName"]?.stringValue)
    }

    private static func body(of document: JSONValue) throws(HTTPProblem) -> [UInt8] {
        guard case let .string(text)? = document["body"] else { return [] }
        guard case .bool(true)? = document["isBase64Encoded"] else { return Array(text.utf8) }
        guard let bytes = Base64.decode(text) else {
            throw HTTPProblem(400, "The request body is marked base64 but is not valid base64")
        }
        return bytes
    }

    private static func stringMap(_ value: JSONValue?, lowercasingKeys: Bool) -> [String: String] {
        guard case let .object(members)? = value else { return [:] }
        var map: [String: String] = [:]
        for member in members {
            if case let .string(text) = member.value {
                map[lowercasingKeys ? member.key.lowercased() : member.key] = text
            }
        }
        return map
    }

    private static func percentDecode(_ segment: Substring) -> String? {
        PercentDecoding.decode(segment, malformed: .reject).flatMap { String(validating: $0, as: UTF8.self) }
    }
}
