import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The answer of one Invoke API call.
public struct InvokeResult: Sendable {
    public var status: Int
    /// Header names in lower case.
    public var headers: [String: String]
    public var body: Data

    public init(status: Int, headers: [String: String], body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public var text: String { String(decoding: body, as: UTF8.self) }
    /// `X-Amz-Function-Error` (`Unhandled`), present when the function answered with an error.
    public var functionError: String? { headers["x-amz-function-error"] }
    /// `X-Amzn-Requestid`: the invocation's request id.
    public var requestID: String? { headers["x-amzn-requestid"] }

    /// The body as a JSON object.
    public func jsonObject() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            throw EmulatorHarnessError("the body is not a JSON object: \(text.prefix(500))")
        }
        return object
    }
}

/// A `lambda-emulator` on a free port running a bootstrap, with a blocking Invoke API client.
///
/// Starts `lambda-emulator --port 0 [--timeout T] -- <bootstrap> [arguments]` with this
/// process's environment plus `environment`, and waits for its `listening on` line. The Runtime
/// API and the admin routes are on a second, loopback-only port (`runtimeAPIPort`).
public final class EmulatorHarness: @unchecked Sendable {
    public let process: ChildProcess
    /// The Invoke API's port.
    public let port: Int
    /// The Runtime API's and admin routes' port (on 127.0.0.1).
    public let runtimeAPIPort: Int
    private let session: URLSession

    public init(
        bootstrap: String = BuiltProducts.path(of: "bootstrap"), arguments: [String] = [],
        environment: [String: String] = [:], timeoutSeconds: Double? = nil,
        emulator: String = BuiltProducts.path(of: "lambda-emulator"), emulatorOptions: [String] = [],
        launcher: [String] = []
    ) throws {
        var emulatorArguments = ["--port", "0"] + emulatorOptions
        if let timeoutSeconds {
            emulatorArguments += ["--timeout", String(timeoutSeconds)]
        }
        emulatorArguments += ["--", bootstrap] + arguments
        let fullEnvironment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        // A launcher (for example `setpriv --reuid ...`) starts the emulator as its last argument.
        let command = launcher + [emulator] + emulatorArguments
        let process = try ChildProcess(executable: command[0], arguments: Array(command.dropFirst()), environment: fullEnvironment)
        let prefix = "lambda-emulator listening on "
        let line = try process.waitForLine { $0.hasPrefix(prefix) }
        guard let portText = line.split(separator: ":").last, let port = Int(portText) else {
            process.stop()
            throw EmulatorHarnessError("cannot read the port from \(line)")
        }
        // Printed before the `listening on` line, so it is there already.
        let runtimeLine = try process.waitForLine { $0.hasPrefix("lambda-emulator runtime API") }
        guard let runtimeText = runtimeLine.split(separator: ":").last, let runtimeAPIPort = Int(runtimeText) else {
            process.stop()
            throw EmulatorHarnessError("cannot read the Runtime API port from \(runtimeLine)")
        }
        self.process = process
        self.port = port
        self.runtimeAPIPort = runtimeAPIPort
        let configuration = URLSessionConfiguration.ephemeral
        configuration.connectionProxyDictionary = [:]
        configuration.timeoutIntervalForRequest = 600
        configuration.timeoutIntervalForResource = 600
        // Concurrent invocations (AWS_LAMBDA_MAX_CONCURRENCY) each need a connection of their own.
        configuration.httpMaximumConnectionsPerHost = 64
        self.session = URLSession(configuration: configuration)
    }

    deinit {
        stop()
    }

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// The Runtime API and admin routes (`/_emulator/*`).
    public var runtimeAPIURL: String { "http://127.0.0.1:\(runtimeAPIPort)" }

    /// Everything the emulator and its bootstrap wrote to stderr so far (the bootstrap inherits it).
    public var standardError: String { process.standardError }

    /// Invokes the function with `body` as the event.
    /// - Parameter headers: for example `X-Amzn-Trace-Id`, `X-Amz-Client-Context` (base64 JSON).
    public func invoke(_ body: Data, headers: [String: String] = [:], timeout: TimeInterval = 120) throws -> InvokeResult {
        try request(
            "POST", path: "/2015-03-31/functions/function/invocations", body: body, headers: headers, timeout: timeout)
    }

    public func invoke(_ body: String, headers: [String: String] = [:], timeout: TimeInterval = 120) throws -> InvokeResult {
        try invoke(Data(body.utf8), headers: headers, timeout: timeout)
    }

    /// `GET /_emulator/status`: `bootstrap_pid`, `restarts`, `invocations_served`, ...
    public func status() throws -> [String: Any] {
        try request("GET", path: "/_emulator/status", body: nil, headers: [:], timeout: 30, base: runtimeAPIURL)
            .jsonObject()
    }

    /// `POST /_emulator/faults`, for example `{"response_status":500,"count":1}`.
    public func armFaults(_ json: String) throws {
        let result = try request(
            "POST", path: "/_emulator/faults", body: Data(json.utf8), headers: ["Content-Type": "application/json"],
            timeout: 30, base: runtimeAPIURL)
        guard result.status == 200 else {
            throw EmulatorHarnessError("arming faults failed with \(result.status): \(result.text)")
        }
    }

    /// Waits until stderr satisfies `predicate` (log lines arrive through a pipe, a little later).
    @discardableResult
    public func waitForStandardError(timeout: TimeInterval = 20, until predicate: (String) -> Bool) -> Bool {
        poll(timeout: timeout, every: 0.02) { predicate(standardError) }
    }

    public func stop() {
        process.stop()
        session.invalidateAndCancel()
    }

    /// Any request to either listener (`base` is `baseURL` or `runtimeAPIURL`).
    public func request(
        _ method: String, path: String, body: Data?, headers: [String: String] = [:], timeout: TimeInterval,
        base: String? = nil
    ) throws -> InvokeResult {
        let base = base ?? baseURL
        guard let url = URL(string: base + path) else {
            throw EmulatorHarnessError("bad URL \(base + path)")
        }
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = method
        request.httpBody = body
        for (name, value) in headers {
            request.setValue(value, forHTTPHeaderField: name)
        }
        let outcome = TransferOutcome()
        let done = DispatchSemaphore(value: 0)
        let task = session.dataTask(with: request) { data, response, error in
            outcome.set(data: data, response: response as? HTTPURLResponse, error: error)
            done.signal()
        }
        task.resume()
        guard done.wait(timeout: .now() + timeout + 5) == .success else {
            task.cancel()
            throw EmulatorHarnessError("\(method) \(path) got no answer within \(timeout) s")
        }
        return try outcome.result(for: "\(method) \(path)")
    }
}

private final class TransferOutcome: @unchecked Sendable {
    private let lock = NSLock()
    private var data: Data?
    private var response: HTTPURLResponse?
    private var error: (any Error)?

    func set(data: Data?, response: HTTPURLResponse?, error: (any Error)?) {
        lock.lock()
        defer { lock.unlock() }
        self.data = data
        self.response = response
        self.error = error
    }

    func result(for description: String) throws -> InvokeResult {
        lock.lock()
        defer { lock.unlock() }
        if let error {
            throw EmulatorHarnessError("\(description) failed: \(error)")
        }
        guard let response else {
            throw EmulatorHarnessError("\(description) got no HTTP response")
        }
        var headers: [String: String] = [:]
        for (name, value) in response.allHeaderFields {
            if let name = name as? String, let value = value as? String {
                headers[name.lowercased()] = value
            }
        }
        return InvokeResult(status: response.statusCode, headers: headers, body: data ?? Data())
    }
}

public struct EmulatorHarnessError: Error, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
