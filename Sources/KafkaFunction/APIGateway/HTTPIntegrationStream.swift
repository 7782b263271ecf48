import LambdaRuntime

/// A streamed HTTP answer in the form Lambda function URLs (`InvokeMode: RESPONSE_STREAM`) and API
/// Gateway's streaming Lambda proxy integration (`responseTransferMode: STREAM`) read: the stream's
/// content type is `application/vnd.awslambda.http-integration-response`, and it starts with a JSON
/// prelude (`statusCode`, `headers`, `cookies`) followed by eight NUL bytes, then the body.
///
/// The stream to the Runtime API is opened at the first write, not before: until then nothing was
/// sent, and an error can still be answered as an ordinary buffered HTTP error.
final class HTTPIntegrationStream: ChunkOutput {
    static let contentType = "application/vnd.awslambda.http-integration-response"
    /// The separator after the prelude.
    static let delimiter = [UInt8](repeating: 0, count: 8)

    private(set) var responder: StreamingResponder
    private let prelude: [UInt8]
    private var stream: ResponseStream?

    /// - Parameter headers: the HTTP answer's headers, in the prelude.
    init(responder: StreamingResponder, status: Int, headers: [(String, String)]) {
        self.responder = responder
        prelude = Self.prelude(status: status, headers: headers)
    }

    /// True once the prelude went out: from then on an error can only end the stream.
    var isOpen: Bool { stream != nil }

    func write(_ bytes: [UInt8]) throws(ResponseStreamError) {
        if let stream {
            try stream.write(bytes)
            return
        }
        try open(first: bytes)
    }

    /// Opens the stream with the prelude and `first` as its first chunk.
    func open(first: [UInt8] = []) throws(ResponseStreamError) {
        guard stream == nil else { return }
        let opened = try responder.openStream(contentType: Self.contentType)
        stream = opened
        try opened.write(prelude + first)
    }

    /// `{"statusCode":...,"headers":{...},"cookies":[]}` and the delimiter.
    static func prelude(status: Int, headers: [(String, String)]) -> [UInt8] {
        var writer = JSONWriter(reservingCapacity: 512)
        writer.appendASCII("{\"statusCode\":\(status),\"headers\":")
        writer.write(.object(headers.map { ($0.0, .string($0.1)) }))
        writer.appendASCII(",\"cookies\":[]}")
        return writer.bytes + delimiter
    }
}
