import CurlHTTP

/// A failure talking to the Runtime API.
public enum RuntimeAPIError: Error, Sendable, CustomStringConvertible {
    /// No HTTP answer: the connection could not be made or broke.
    case transport(CurlHTTPError)
    /// An HTTP answer with a status the call does not expect.
    case unexpectedStatus(path: String, status: Int, body: String)
    /// A `next` answer that breaks the Runtime API contract.
    case malformedInvocation(String)

    public var description: String {
        switch self {
        case .transport(let error):
            "Runtime API unreachable: \(error.message)"
        case .unexpectedStatus(let path, let status, let body):
            "Runtime API answered \(path) with HTTP \(status)" + (body.isEmpty ? "" : ": \(body)")
        case .malformedInvocation(let reason):
            "Runtime API sent a malformed invocation: \(reason)"
        }
    }

    /// Worth trying again after a pause: the API is not reachable (yet) or had a server-side fault.
    public var isTransient: Bool {
        switch self {
        case .transport(let error): error.isConnectionFailure || error.isConnectionLost
        case .unexpectedStatus(_, let status, _): status >= 500
        case .malformedInvocation: false
        }
    }
}
