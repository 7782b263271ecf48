import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The answer a runtime posted for the one invocation a `OneShotRuntimeAPI` handed out.
public struct PostedAnswer: Sendable {
    /// `response` or `error`.
    public var kind: String
    public var body: String
}

/// A Lambda Runtime API on a chosen loopback port that hands out exactly one invocation and takes
/// the answer posted for it; when the runtime then asks for another, it drops that request and
/// stops listening, so every `next` after it is refused.
///
/// Covered: `GET .../invocation/next` and `POST .../invocation/{id}/response|error` over
/// HTTP/1.1 with `Content-Length` bodies, keep-alive or not. Not covered: chunked bodies,
/// `init/error`, more than one invocation.
public final class OneShotRuntimeAPI: @unchecked Sendable {
    public let port: UInt16
    public let requestID: String
    private let event: String
    private let answerStatus: String
    private let deadlineMs: Int64
    private let listener: Int32
    private let lock = NSLock()
    private let answered = DispatchSemaphore(value: 0)
    private var answer: PostedAnswer?
    private var nextRequests = 0

    /// A loopback port nothing listens on right now (bound, read, released).
    public static func unusedPort() throws -> UInt16 {
        UInt16(try freeLoopbackPort())
    }

    /// Starts listening on `port` and serving on a background thread.
    /// - Parameter answerStatus: the status line answered to the runtime's posted answer, for
    ///   example `"500 Internal Server Error"` to lose it.
    public init(
        port: UInt16, event: String, answerStatus: String = "202 Accepted",
        requestID: String = UUID().uuidString.lowercased(), timeout: TimeInterval = 30
    ) throws {
        self.port = port
        self.answerStatus = answerStatus
        self.event = event
        self.requestID = requestID
        self.deadlineMs = Int64((Date().timeIntervalSince1970 + timeout) * 1000)
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw ChildProcessError(description: "socket failed") }
        var reuse: Int32 = 1
        setsockopt(socketFD, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = Self.loopback(port: port)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 && listen(socketFD, 16) == 0
            }
        }
        guard bound else {
            close(socketFD)
            throw ChildProcessError(description: "cannot listen on 127.0.0.1:\(port): errno \(errno)")
        }
        listener = socketFD
        Thread.detachNewThread { [self] in serve() }
    }

    deinit {
        closeListener()
    }

    /// Stops listening (idempotent); the serving thread ends with it.
    public func stop() {
        closeListener()
    }

    /// How many `next` requests arrived (the one served and any after it).
    public var nextRequestCount: Int { lock.withLock { nextRequests } }

    /// Waits for the runtime's answer to the invocation.
    public func waitForAnswer(timeout: TimeInterval) -> PostedAnswer? {
        guard answered.wait(timeout: .now() + timeout) == .success else { return nil }
        answered.signal()
        return lock.withLock { answer }
    }

    private var listenerOpen = true

    private func closeListener() {
        lock.withLock {
            guard listenerOpen else { return }
            listenerOpen = false
            shutdown(listener, Int32(SHUT_RDWR))
            close(listener)
        }
    }

    private func serve() {
        var served = false
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            defer { close(connection) }
            var reader = HTTPRequestReader(socket: connection)
            while let request = reader.next() {
                if request.head.hasPrefix("GET ") && request.head.contains("/invocation/next") {
                    lock.withLock { nextRequests += 1 }
                    guard !served else {
                        // The runtime came back for more: stop listening and drop the connection
                        // unanswered, so this `next` is lost and the ones after it refused.
                        closeListener()
                        return
                    }
                    served = true
                    send(connection, status: "200 OK", headers: [
                        "Lambda-Runtime-Aws-Request-Id: \(requestID)",
                        "Lambda-Runtime-Deadline-Ms: \(deadlineMs)",
                        "Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:123456789012:function:one-shot",
                        "Lambda-Runtime-Trace-Id: Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1",
                    ], body: event)
                } else if request.head.hasPrefix("POST ") && request.head.contains("/invocation/\(requestID)/") {
                    let kind = request.head.contains("/error ") ? "error" : "response"
                    lock.withLock { answer = PostedAnswer(kind: kind, body: request.body) }
                    send(connection, status: answerStatus, headers: [], body: #"{"status":"answered"}"#)
                    answered.signal()
                } else {
                    send(connection, status: "404 Not Found", headers: [], body: "{}")
                }
            }
        }
    }

    /// Waits until the runtime asked for another invocation after answering the first one.
    public func waitForNextAfterAnswer(timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if nextRequestCount >= 2 { return true }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return nextRequestCount >= 2
    }

    private func send(_ connection: Int32, status: String, headers: [String], body: String) {
        let head = (["HTTP/1.1 \(status)", "Content-Type: application/json", "Content-Length: \(body.utf8.count)"] + headers)
            .joined(separator: "\r\n")
        let bytes = Array((head + "\r\n\r\n" + body).utf8)
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Glibc.send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { return }
            sent += count
        }
    }

    private static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        return address
    }
}

/// Reads HTTP/1.1 requests (head and `Content-Length` body) one after another from a socket.
private struct HTTPRequestReader {
    let socket: Int32
    private var buffer: [UInt8] = []

    init(socket: Int32) {
        self.socket = socket
    }

    mutating func next() -> (head: String, body: String)? {
        var headEnd: Int?
        while true {
            if let end = Self.headEnd(in: buffer) {
                headEnd = end
                break
            }
            guard fill() else { return nil }
        }
        guard let headEnd else { return nil }
        let head = String(decoding: buffer[0..<headEnd], as: UTF8.self)
        let length = head.split(separator: "\r\n").compactMap { line -> Int? in
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
            return Int(parts[1].trimmingCharacters(in: .whitespaces))
        }.first ?? 0
        let bodyStart = headEnd + 4
        while buffer.count < bodyStart + length {
            guard fill() else { return nil }
        }
        let body = String(decoding: buffer[bodyStart..<(bodyStart + length)], as: UTF8.self)
        buffer.removeFirst(bodyStart + length)
        return (head, body)
    }

    private mutating func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return false }
        buffer.append(contentsOf: chunk[0..<count])
        return true
    }

    private static func headEnd(in bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        return (0...(bytes.count - 4)).first {
            bytes[$0] == 13 && bytes[$0 + 1] == 10 && bytes[$0 + 2] == 13 && bytes[$0 + 3] == 10
        }
    }
}
