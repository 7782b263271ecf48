import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A one-thread HTTP/1.1 responder on 127.0.0.1 for tests: answers every request with the same
/// canned response and records the request heads it saw. Not a server for anything else.
public final class TinyHTTPResponder: @unchecked Sendable {
    public let port: UInt16
    private let listener: Int32
    private let lock = NSLock()
    private var heads: [String] = []
    private let status: Int
    private let body: String
    private let declaresLength: Bool
    private var thread: Thread?

    /// - Parameter declaresLength: false leaves out `Content-Length` (the body ends when the connection closes).
    public init(status: Int = 200, body: String, declaresLength: Bool = true) throws {
        self.status = status
        self.body = body
        self.declaresLength = declaresLength
        let bound = try LoopbackPort.boundSocket(listening: 16)
        listener = bound.socket
        port = bound.port
        let thread = Thread { [weak self] in self?.serve() }
        self.thread = thread
        thread.start()
    }

    deinit {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    /// Request lines and headers received so far, one string per request.
    public var requests: [String] {
        lock.lock()
        defer { lock.unlock() }
        return heads
    }

    private func serve() {
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !received.containsHeadEnd() {
                let count = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
                if count <= 0 { break }
                received.append(contentsOf: buffer[0..<count])
            }
            lock.lock()
            heads.append(String(decoding: received, as: UTF8.self))
            lock.unlock()
            let length = declaresLength ? "Content-Length: \(body.utf8.count)\r\n" : ""
            let response = "HTTP/1.1 \(status) Canned\r\nContent-Type: application/json\r\n\(length)Connection: close\r\n\r\n\(body)"
            let bytes = Array(response.utf8)
            _ = bytes.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            close(connection)
        }
    }
}

extension Array where Element == UInt8 {
    /// The blank line that ends the request head (any body after it is ignored).
    fileprivate func containsHeadEnd() -> Bool {
        guard count >= 4 else { return false }
        return (0...(count - 4)).contains { self[$0] == 13 && self[$0 + 1] == 10 && self[$0 + 2] == 13 && self[$0 + 3] == 10 }
    }
}
