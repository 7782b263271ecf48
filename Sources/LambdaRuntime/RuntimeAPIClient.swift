import CurlHTTP
import Logging

/// One invocation as `next` hands it over.
public struct Invocation: Sendable {
    public var event: [UInt8]
    public var context: InvocationContext
}

/// How the Runtime API took an answer posted for an invocation.
public enum PostOutcome: Sendable, Equatable {
    case accepted
    /// A non-2xx status; `message` is the start of the answer's body, for logs.
    case rejected(status: Int, message: String)
}

/// The Lambda Runtime API (2018-06-01) over one keep-alive connection.
///
/// `next` waits without a client timeout: Lambda freezes the process while no event is due.
/// Not thread-safe; the run loop owns the only instance.
public final class RuntimeAPIClient {
    private let http: CurlHTTPClient
    private let baseURL: String
    /// `host:port` of the Runtime API, for streamed responses (their own connection).
    public let endpoint: String
    private let logger: Logger
    /// The last event's storage, emptied, for the next one (`recycle`).
    private var spareEventStorage: [UInt8] = []

    /// - Parameter endpoint: `host:port`, the value of `AWS_LAMBDA_RUNTIME_API`.
    public init(endpoint: String, logger: Logger) throws(CurlHTTPError) {
        self.http = try CurlHTTPClient(options: .init(bypassProxy: true))
        self.baseURL = "http://\(endpoint)/2018-06-01/runtime"
        self.endpoint = endpoint
        self.logger = logger
    }

    public func next() throws(RuntimeAPIError) -> Invocation {
        let path = "/invocation/next"
        let storage = spareEventStorage
        spareEventStorage = []
        let response = try perform(HTTPRequest(method: "GET", url: baseURL + path), bodyStorage: consume storage)
        guard response.status == 200 else {
            throw .unexpectedStatus(path: path, status: response.status, body: Self.excerpt(response.body))
        }
        let context = try InvocationHeaders.context(from: response.headers, logger: logger)
        return Invocation(event: response.body, context: context)
    }

    public func postResponse(requestID: String, body: [UInt8]) throws(RuntimeAPIError) -> PostOutcome {
        try post("/invocation/\(requestID)/response", body: body, headers: [])
    }

    /// - Parameter errorType: sent as `Lambda-Runtime-Function-Error-Type`, after sanitizing.
    public func postError(requestID: String, errorType: String, body: [UInt8]) throws(RuntimeAPIError) -> PostOutcome {
        try post("/invocation/\(requestID)/error", body: body, headers: Self.errorHeaders(errorType))
    }

    public func postInitError(errorType: String, body: [UInt8]) throws(RuntimeAPIError) -> PostOutcome {
        try post("/init/error", body: body, headers: Self.errorHeaders(errorType))
    }

    private func post(
        _ path: String, body: [UInt8], headers: [(name: String, value: String)]
    ) throws(RuntimeAPIError) -> PostOutcome {
        let response = try perform(HTTPRequest(method: "POST", url: baseURL + path, headers: headers, body: body))
        if (200..<300).contains(response.status) { return .accepted }
        return .rejected(status: response.status, message: Self.excerpt(response.body))
    }

    /// Keeps `event`'s storage (left empty in its place) for the next `next`, when nothing else
    /// holds it: a warm event of about the same size is then written into pages already in place
    /// instead of faulting in fresh ones (some 1,300 for a 5 MB event, about a millisecond).
    /// Between invocations the process holds that storage (at most `keptEventStorageBytes`);
    /// a much smaller next event lets it go before its own is made.
    public func recycle(_ event: inout [UInt8]) {
        guard event.capacity <= Self.keptEventStorageBytes else { return }
        swap(&spareEventStorage, &event)
        spareEventStorage.removeAll(keepingCapacity: true)
    }

    /// Above Lambda's 6 MB event limit.
    static let keptEventStorageBytes = 8 << 20

    private func perform(_ request: HTTPRequest, bodyStorage: consuming [UInt8] = []) throws(RuntimeAPIError) -> HTTPResponse {
        do {
            return try http.perform(request, timeout: nil, bodyStorage: consume bodyStorage)
        } catch {
            throw .transport(error)
        }
    }

    private static func errorHeaders(_ errorType: String) -> [(name: String, value: String)] {
        [
            ("Content-Type", "application/json"),
            ("Lambda-Runtime-Function-Error-Type", LambdaErrorType.sanitized(errorType)),
        ]
    }

    private static func excerpt(_ body: [UInt8]) -> String {
        let text = String(decoding: body.prefix(512), as: UTF8.self)
        return text.filter { !$0.isNewline }
    }
}
