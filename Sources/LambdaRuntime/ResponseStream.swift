import Encoding

/// A response streamed to the Runtime API as it is made (`Lambda-Runtime-Function-Response-Mode:
/// streaming`): chunked, up to Lambda's streaming limit, an error after the first byte carried in
/// the `Lambda-Runtime-Function-Error-Type` / `-Body` trailers.
public final class ResponseStream {
    /// Lambda's limit for a streamed response.
    public static let maximumBytes = 200 * 1024 * 1024

    private let post: ChunkedPost

    fileprivate init(post: ChunkedPost) {
        self.post = post
    }

    /// Bytes written so far.
    public var bytesWritten: Int { post.bodyBytes }

    /// Sends `bytes` as the next chunk.
    public func write(_ bytes: [UInt8]) throws(ResponseStreamError) {
        do {
            try post.write(bytes)
        } catch {
            throw ResponseStreamError(errorMessage: error.description)
        }
    }

    /// Ends the stream; with `error`, reports it in the trailers. Returns the Runtime API's status.
    func finish(error: ErrorAnswer?) throws(ChunkedPost.Failure) -> Int {
        var trailers: [(name: String, value: String)] = []
        if let error {
            trailers = [
                (StreamingHeaders.errorType, error.errorType),
                (StreamingHeaders.errorBody, Base64.encode(error.body)),
            ]
        }
        return try post.finish(trailers: trailers)
    }
}

/// The stream to the Runtime API broke; the invocation's answer is lost.
public struct ResponseStreamError: LambdaFunctionError, Sendable {
    public var errorType: String { "Runtime.StreamBroken" }
    public var errorMessage: String
}

/// Lets a handler answer with a stream instead of a returned body. One per invocation, made by
/// the run loop and carried in `InvocationContext.responder`.
///
/// `@unchecked Sendable` so the context that carries it stays `Sendable`: the loop makes it for one
/// invocation, the handler opens it on the loop's own thread while `handle` runs, and the loop reads
/// `opened` on that same thread after `handle` returned. It never crosses to another thread.
public final class StreamingResponder: @unchecked Sendable {
    private let endpoint: String
    private let requestID: String
    private(set) var opened: ResponseStream?

    init(endpoint: String, requestID: String) {
        self.endpoint = endpoint
        self.requestID = requestID
    }

    /// Starts the streamed answer. What the handler returns afterwards is sent as its last chunk;
    /// an error it throws afterwards is reported in the trailers.
    public func openStream(contentType: String) throws(ResponseStreamError) -> ResponseStream {
        if let opened { return opened }
        do {
            let post = try ChunkedPost(
                endpoint: endpoint, path: "/2018-06-01/runtime/invocation/\(requestID)/response",
                headers: [
                    (StreamingHeaders.responseMode, "streaming"),
                    ("Content-Type", contentType),
                    ("Trailer", "\(StreamingHeaders.errorType), \(StreamingHeaders.errorBody)"),
                ])
            let stream = ResponseStream(post: post)
            opened = stream
            return stream
        } catch {
            throw ResponseStreamError(errorMessage: error.description)
        }
    }
}

enum StreamingHeaders {
    static let responseMode = "Lambda-Runtime-Function-Response-Mode"
    static let errorType = "Lambda-Runtime-Function-Error-Type"
    static let errorBody = "Lambda-Runtime-Function-Error-Body"
}
