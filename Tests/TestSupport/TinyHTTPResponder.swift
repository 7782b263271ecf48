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
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw ChildProcessError(description: "socket failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
                bind(socketFD, pointer, length) == 0 && listen(socketFD, 16) == 0
                    && getsockname(socketFD, pointer, &length) == 0
            }
        }
        guard bound else {
            close(socketFD)
            throw ChildProcessError(description: "bind/listen failed")
        }
        listener = socketFD
        port = UInt16(bigEndian: address.sin_port)
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
