import FunctionCore
import JSON

/// An API Gateway WebSocket API event (Lambda proxy integration), reduced to what the
/// function needs: which of the three event types it is and, for a message, its text.
package struct WebSocketEvent {
    package enum Kind: Equatable {
        case connect
        case disconnect
        /// A message on any route (`$default` or a custom route key).
        case message
    }

    package var kind: Kind
    package var routeKey: String
    package var connectionID: String
    /// The frame's payload as API Gateway passes it: text, or base64 when `isBase64Encoded`.
    package var body: String
    package var isBase64Encoded: Bool

    /// WebSocket events carry `requestContext.eventType` and `connectionId`; HTTP events carry neither.
    package static func isWebSocketEvent(_ document: JSONValue) -> Bool {
        guard let context = document["requestContext"],
              case .string = context["eventType"], case .string = context["connectionId"] else { return false }
        return true
    }

    package static func decode(_ document: JSONValue) throws(FunctionError) -> WebSocketEvent {
        for part in [document, document["requestContext"]] {
            if let duplicate = part?.firstDuplicateKey {
                throw .invalidEvent("The WebSocket event has the member '\(duplicate.truncatedForMessage)' more than once")
            }
        }
        let context = document["requestContext"]
        let kind: Kind
        switch context?["eventType"]?.stringValue {
        case "CONNECT": kind = .connect
        case "DISCONNECT": kind = .disconnect
        case "MESSAGE": kind = .message
        case let other:
            throw .invalidEvent("requestContext.eventType must be CONNECT, MESSAGE or DISCONNECT, got '\((other ?? "").truncatedForMessage)'")
        }
        let isBase64Encoded: Bool
        switch document["isBase64Encoded"] {
        case nil, .null, .bool(false): isBase64Encoded = false
        case .bool(true): isBase64Encoded = true
        case let other?: throw .invalidEvent("Field 'isBase64Encoded' must be true or false, got \(other.typeName)")
        }
        return WebSocketEvent(
            kind: kind,
            routeKey: context?["routeKey"]?.stringValue ?? "$default",
            connectionID: context?["connectionId"]?.stringValue ?? "",
            body: document["body"]?.stringValue ?? "",
            isBase64Encoded: isBase64Encoded)
    }
}
