import LambdaEmulatorCore
import NIOCore
import NIOHTTP1

/// A complete request, its body capped at `bodyLimit` bytes.
struct EmulatorRequest {
    var head: HTTPRequestHead
    /// The body, empty when it exceeded the limit.
    var body: ByteBuffer
    /// True when the body was larger than the limit (its bytes were read and dropped).
    var bodyExceededLimit: Bool

    func header(_ name: String) -> String? {
        head.headers.first(name: name)
    }
}

struct EmulatorResponse: Sendable {
    var status: HTTPResponseStatus
    var headers: HTTPHeaders
    var body: ByteBuffer
    /// A streamed answer: `body` is ignored, the chunks come through the relay.
    var stream: StreamRelay?

    init(status: HTTPResponseStatus, headers: HTTPHeaders = [:], body: ByteBuffer = ByteBuffer()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    static func json(_ status: HTTPResponseStatus, _ text: String, headers: HTTPHeaders = [:]) -> EmulatorResponse {
        var allHeaders = headers
        allHeaders.replaceOrAdd(name: "Content-Type", value: "application/json")
        return EmulatorResponse(status: status, headers: allHeaders, body: ByteBuffer(string: text))
    }

    static func error(_ status: HTTPResponseStatus, _ body: LambdaErrorBody) -> EmulatorResponse {
        .json(status, body.json)
    }

    static let accepted = EmulatorResponse.json(.accepted, #"{"status":"OK"}"#)
}
