/// An API Gateway proxy event, REST API (payload 1.0) or HTTP API (payload 2.0), reduced to
/// what routing needs.
struct APIGatewayRequest {
    var method: String
    /// Percent-decoded path segments, without the stage prefix.
    var pathSegments: [String]
    var query: [String: String]
    /// Lower-cased names.
    var headers: [String: String]
    var body: [UInt8]
    /// The API's stage, when the event names one other than `$default`.
    var stage: String? = nil
    /// The request context's domain name (the host the caller used).
    var domainName: String? = nil

    static func isAPIGatewayEvent(_ document: JSONValue) -> Bool {
        guard document["requestContext"] != nil else { return false }
        if case .string("2.0") = document["version"], document["rawPath"] != nil { return true }
        if case .string = document["httpMethod"] { return true }
        return false
    }

    static func decode(_ document: JSONValue) throws(HTTPProblem) -> APIGatewayRequest {
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
        var bytes: [UInt8] = []
        var iterator = segment.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next(), let low = iterator.next(),
                  let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(value)
        }
        return String(validating: bytes, as: UTF8.self)
    }
}

/// An HTTP answer for a request the function cannot serve: a status and a message.
struct HTTPProblem: Error {
    var status: Int
    var message: String
    var headers: [(String, String)] = []
    /// The body's `error_code`: the status, or a Kafka REST proxy code such as 40401 (topic not found).
    var errorCode: Int

    init(_ status: Int, _ message: String, headers: [(String, String)] = [], errorCode: Int? = nil) {
        self.status = status
        self.message = message
        self.headers = headers
        self.errorCode = errorCode ?? status
    }

    /// The Kafka REST proxy's answer for a topic that does not exist.
    static let topicNotFound = HTTPProblem(404, "Topic not found.", errorCode: 40401)

    /// A server-side failure's message can name the role, account, files or brokers the function
    /// uses: it goes to the log, and the caller gets a generic one. Client mistakes (4xx) are kept.
    func forAPICaller(log: (String) -> Void) -> HTTPProblem {
        guard status >= 500 else { return self }
        log("API answer \(status): \(message)")
        let generic = switch status {
        case 504: "Kafka did not answer in time; the function's log has the details"
        case 502: "Kafka failed or refused the request; the function's log has the details"
        default: "Internal error; the function's log has the details"
        }
        return HTTPProblem(status, generic, headers: headers, errorCode: errorCode)
    }
}

extension JSONValue {
    var stringValue: String? {
        if case let .string(text) = self { return text }
        return nil
    }

    /// The first member name an object repeats, if any.
    var firstDuplicateKey: String? {
        guard case let .object(members) = self else { return nil }
        var seen = Set<String>()
        return members.first { !seen.insert($0.key).inserted }?.key
    }
}
