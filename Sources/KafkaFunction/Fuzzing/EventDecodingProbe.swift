import APIGatewayFrontEnd
import DirectFrontEnd
import EventSourceFrontEnd
import FunctionCore
import JSON
import WebSocketFrontEnd

/// The decoding an event goes through before any Kafka call, as one entry point for the
/// fuzzer (`Fuzz/EventDecoderFuzzer`): JSON parsing, API Gateway request decoding and route
/// validation, EventBridge unwrapping, event-source-mapping batches, action and record decoding,
/// and the error answers.
@_spi(Fuzzing) public enum EventDecodingProbe {
    public enum Outcome: Sendable {
        /// A direct or EventBridge event that would run this action.
        case action(String)
        /// An API Gateway request that would run this route (`ws_...` for WebSocket API events).
        case route(String)
        /// The function error the event is answered with, and its serialised body.
        case functionError(type: String, message: String, body: [UInt8])
        /// The API Gateway proxy answer the request gets, and its status.
        case httpProblem(status: Int, message: String, answer: [UInt8])
    }

    public static func decode(_ event: [UInt8]) -> Outcome {
        do throws(FunctionError) {
            let scanned = try EventJSON.scan(event)
            if KafkaSourceEvent.isSourceEvent(scanned.document) {
                _ = try KafkaSourceEvent.decode(scanned, bytes: event)
                return .action("sink")
            }
            if WebSocketEvent.isWebSocketEvent(scanned.document) {
                return .route(try WebSocketEvent.decode(scanned.document).probeName)
            }
            if APIGatewayRequest.isAPIGatewayEvent(scanned.document) {
                let document = scanned.replacedRecords ? try EventJSON.parse(event) : scanned.document
                do throws(HTTPProblem) {
                    let request = try APIGatewayRequest.decode(document)
                    if let proxied = try RestProxyRouter.probe(request) { return .route(proxied) }
                    return .route(try APIGatewayRouter.resolve(request).actionName)
                } catch {
                    return .httpProblem(
                        status: error.status, message: error.message, answer: APIGatewayResponse.problem(error).serialized(cors: nil))
                }
            }
            return .action(try EventDecoder.decode(scanned).actionName)
        } catch {
            return .functionError(type: error.errorType, message: error.errorMessage, body: error.errorBody)
        }
    }
}

extension WebSocketEvent {
    /// `ws_connect`, `ws_disconnect`, `ws_<command>`, or `ws_error_resp_<code>` for a message
    /// answered with an `error_resp`.
    var probeName: String {
        switch kind {
        case .connect: return "ws_connect"
        case .disconnect: return "ws_disconnect"
        case .message:
            if isBase64Encoded { return "ws_error_resp_415" }
            switch PubSubCommand.decode(body).command {
            case .success(.ping): return "ws_ping"
            case .success(.listOffset): return "ws_list_offset"
            case .success(.fetch): return "ws_fetch"
            case let .failure(error): return "ws_error_resp_\(error.code)"
            }
        }
    }
}
