import Foundation
import NIOCore
import NIOHTTP1

/// Builds the events API Gateway sends a Lambda proxy integration.
enum GatewayEvents {
    static let accountID = "123456789012"
    static let apiID = "local"
    static let stage = "$default"

    /// An HTTP API event, payload format 2.0, for route `$default`.
    static func http(_ head: HTTPRequestHead, body: ByteBuffer, host: String, sourceIP: String) -> [String: Any] {
        let now = Date()
        let (path, rawQuery) = splitURI(head.uri)
        var headers: [String: String] = [:]
        var cookies: [String] = []
        for (name, value) in head.headers {
            let lowered = name.lowercased()
            if lowered == "cookie" {
                cookies += value.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
                continue
            }
            headers[lowered] = headers[lowered].map { "\($0),\(value)" } ?? value
        }
        // As API Gateway does: the scheme the caller used (here plain HTTP), which the function needs to build links.
        headers["x-forwarded-proto"] = "http"
        var event: [String: Any] = [
            "version": "2.0",
            "routeKey": "$default",
            "rawPath": path,
            "rawQueryString": rawQuery,
            "headers": headers,
            "requestContext": [
                "accountId": accountID,
                "apiId": apiID,
                "domainName": host,
                "domainPrefix": host.split(separator: ".").first.map(String.init) ?? host,
                "http": [
                    "method": head.method.rawValue,
                    "path": path,
                    "protocol": "HTTP/\(head.version.major).\(head.version.minor)",
                    "sourceIp": sourceIP,
                    "userAgent": head.headers.first(name: "User-Agent") ?? "",
                ] as [String: Any],
                "requestId": GatewayClock.requestID(),
                "routeKey": "$default",
                "stage": stage,
                "time": GatewayClock.requestTime(now),
                "timeEpoch": GatewayClock.epochMilliseconds(now),
            ] as [String: Any],
            "isBase64Encoded": false,
        ]
        if !cookies.isEmpty { event["cookies"] = cookies }
        let query = queryParameters(rawQuery)
        if !query.isEmpty { event["queryStringParameters"] = query }
        if body.readableBytes > 0 {
            let bytes = Array(body.readableBytesView)
            if isText(contentType: head.headers.first(name: "Content-Type")), let text = String(validating: bytes, as: UTF8.self) {
                event["body"] = text
            } else {
                event["body"] = Data(bytes).base64EncodedString()
                event["isBase64Encoded"] = true
            }
        }
        return event
    }

    enum WebSocketEventType: String {
        case connect = "CONNECT", message = "MESSAGE", disconnect = "DISCONNECT"

        var routeKey: String {
            switch self {
            case .connect: "$connect"
            case .message: "$default"
            case .disconnect: "$disconnect"
            }
        }
    }

    /// A WebSocket API event. `$connect` carries the handshake's headers and query; a message its
    /// text, or a binary frame in base64 with `isBase64Encoded` (`--websocket-binary`).
    static func webSocket(
        _ type: WebSocketEventType, connection: GatewayConnection, text: String? = nil, isBase64Encoded: Bool = false,
        handshake: HTTPRequestHead? = nil
    ) -> [String: Any] {
        let now = Date()
        var context: [String: Any] = [
            "routeKey": type.routeKey,
            "eventType": type.rawValue,
            "extendedRequestId": GatewayClock.requestID(),
            "requestTime": GatewayClock.requestTime(now),
            "messageDirection": "IN",
            "stage": stage,
            "connectedAt": GatewayClock.epochMilliseconds(connection.connectedAt),
            "requestTimeEpoch": GatewayClock.epochMilliseconds(now),
            "identity": ["sourceIp": connection.sourceIP] as [String: Any],
            "requestId": GatewayClock.requestID(),
            "domainName": connection.host,
            "connectionId": connection.id,
            "apiId": apiID,
        ]
        var event: [String: Any] = ["isBase64Encoded": false]
        switch type {
        case .message:
            context["messageId"] = GatewayClock.requestID()
            event["body"] = text ?? ""
            event["isBase64Encoded"] = isBase64Encoded
        case .disconnect:
            context["disconnectStatusCode"] = connection.closeCode
            context["disconnectReason"] = connection.closeReason
        case .connect:
            if let handshake {
                var headers: [String: String] = [:]
                var multiValue: [String: [String]] = [:]
                for (name, value) in handshake.headers {
                    headers[name] = value
                    multiValue[name, default: []].append(value)
                }
                event["headers"] = headers
                event["multiValueHeaders"] = multiValue
                let query = queryParameters(splitURI(handshake.uri).query)
                if !query.isEmpty { event["queryStringParameters"] = query }
            }
        }
        event["requestContext"] = context
        return event
    }

    static func splitURI(_ uri: String) -> (path: String, query: String) {
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        return (String(parts.first ?? "/"), parts.count > 1 ? String(parts[1]) : "")
    }

    /// Percent-decoded; a repeated name's values joined with commas, as payload 2.0 does.
    static func queryParameters(_ raw: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in raw.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (text: Substring) in
                text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text)
            }
            let name = decode(parts[0])
            let value = parts.count > 1 ? decode(parts[1]) : ""
            result[name] = result[name].map { "\($0),\(value)" } ?? value
        }
        return result
    }

    /// Bodies of these types reach the function as text; anything else as base64.
    static func isText(contentType: String?) -> Bool {
        guard let type = contentType?.lowercased() else { return true }
        return type.hasPrefix("text/") || type.contains("json") || type.contains("xml")
            || type.contains("javascript") || type.contains("x-www-form-urlencoded")
    }
}
