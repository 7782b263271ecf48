/// The endpoints the emulator serves, recognised from a request's method and path.
public enum EmulatorRoute: Equatable, Sendable {
    /// `POST /2015-03-31/functions/{name}/invocations` (the Lambda Invoke API, as RIE serves it).
    case invoke(functionName: String)
    /// `POST /2021-11-15/functions/{name}/response-streaming-invocations` (InvokeWithResponseStream;
    /// the emulator passes the chunks through as plain HTTP chunks, errors in trailers).
    case streamingInvoke(functionName: String)
    /// `GET /2018-06-01/runtime/invocation/next`
    case nextInvocation
    /// `POST /2018-06-01/runtime/invocation/{id}/response`
    case invocationResponse(requestID: String)
    /// `POST /2018-06-01/runtime/invocation/{id}/error`
    case invocationError(requestID: String)
    /// `POST /2018-06-01/runtime/init/error`
    case initError
    /// `POST /2020-01-01/extension/register` (Extensions API)
    case extensionRegister
    /// `GET /2020-01-01/extension/event/next` (Extensions API)
    case extensionNext
    /// `GET`, `POST` or `DELETE /_emulator/faults`
    case faults(method: AdminMethod)
    /// `GET /_emulator/status`
    case status

    public enum AdminMethod: Equatable, Sendable {
        case get, post, delete
    }

    /// The listener a route is served on: only invocations may come from beyond loopback.
    public var listener: EmulatorListener {
        switch self {
        case .invoke, .streamingInvoke: return .invocations
        default: break
        }
        return .runtime
    }

    /// Returns nil for anything the emulator does not serve (the server answers 404).
    public init?(method: String, uri: String) {
        let path = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        switch (method, segments.count) {
        case ("POST", 4) where segments[0] == "2015-03-31" && segments[1] == "functions"
            && segments[3] == "invocations":
            self = .invoke(functionName: segments[2])
        case ("POST", 4) where segments[0] == "2021-11-15" && segments[1] == "functions"
            && segments[3] == "response-streaming-invocations":
            self = .streamingInvoke(functionName: segments[2])
        case ("GET", 4) where segments[0...3] == ["2018-06-01", "runtime", "invocation", "next"]:
            self = .nextInvocation
        case ("POST", 5) where segments[0...2] == ["2018-06-01", "runtime", "invocation"]:
            switch segments[4] {
            case "response": self = .invocationResponse(requestID: segments[3])
            case "error": self = .invocationError(requestID: segments[3])
            default: return nil
            }
        case ("POST", 4) where segments == ["2018-06-01", "runtime", "init", "error"]:
            self = .initError
        case ("POST", 3) where segments == ["2020-01-01", "extension", "register"]:
            self = .extensionRegister
        case ("GET", 4) where segments == ["2020-01-01", "extension", "event", "next"]:
            self = .extensionNext
        case (_, 2) where segments == ["_emulator", "faults"]:
            switch method {
            case "GET": self = .faults(method: .get)
            case "POST": self = .faults(method: .post)
            case "DELETE": self = .faults(method: .delete)
            default: return nil
            }
        case ("GET", 2) where segments == ["_emulator", "status"]:
            self = .status
        default:
            return nil
        }
    }
}

/// The emulator's two listening sockets, split as the Runtime Interface Emulator splits them.
public enum EmulatorListener: Sendable {
    /// The Invoke API, on `--host`/`--port` (0.0.0.0:8080 in the image).
    case invocations
    /// The Runtime API and the `/_emulator/*` admin routes, on 127.0.0.1 only: whoever reaches
    /// them can read pending events, forge answers and inject faults.
    case runtime
}
