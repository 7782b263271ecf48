import JSON
import LambdaRuntime

/// A response stream opened at its first write, not before: until then nothing was sent, and an
/// error can still be answered the ordinary way (a function error, or a buffered HTTP problem).
/// `prefix` (a streamed HTTP answer's prelude) goes out with the first chunk.
package final class DeferredStream: ChunkOutput {
    package let responder: StreamingResponder
    private let contentType: String
    private let prefix: [UInt8]
    private var stream: ResponseStream?

    package init(responder: StreamingResponder, contentType: String, prefix: [UInt8] = []) {
        self.responder = responder
        self.contentType = contentType
        self.prefix = prefix
    }

    /// True once the stream is open: from then on an error can only end it (in the trailers).
    package var isOpen: Bool { stream != nil }

    package func write(_ bytes: [UInt8]) throws(ResponseStreamError) {
        if let stream {
            try stream.write(bytes)
        } else {
            try open(first: bytes)
        }
    }

    /// Opens the stream, sending the prefix and `first` as its first chunk; nothing when already open.
    package func open(first: [UInt8] = []) throws(ResponseStreamError) {
        guard stream == nil else { return }
        let opened = try responder.openStream(contentType: contentType)
        stream = opened
        try opened.write(prefix + first)
    }
}
