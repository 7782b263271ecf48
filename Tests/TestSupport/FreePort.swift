import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A TCP port on 127.0.0.1 that was free a moment ago (bound to 0, read back, released).
public func freeLoopbackPort() throws -> Int {
    let bound = try LoopbackPort.boundSocket()
    close(bound.socket)
    return Int(bound.port)
}

/// Checks `condition` every `interval` until it holds or `timeout` passed; returns whether it held.
/// For output that reaches a buffer some time after it was written (a pipe, a broker's thread).
public func poll(timeout: TimeInterval, every interval: TimeInterval, until condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while !condition() && Date() < deadline {
        Thread.sleep(forTimeInterval: interval)
    }
    return condition()
}

/// Sockets and connection checks on 127.0.0.1.
public enum LoopbackPort {
    /// A socket bound to 127.0.0.1 on a port the system chose, listening with `backlog` when given.
    /// The caller closes it.
    public static func boundSocket(listening backlog: Int32? = nil) throws -> (socket: Int32, port: UInt16) {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw ChildProcessError(description: "socket() failed: \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ready = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(socketFD, pointer, length) == 0 && getsockname(socketFD, pointer, &length) == 0
                    && (backlog.map { listen(socketFD, $0) == 0 } ?? true)
            }
        }
        guard ready else {
            let reason = errno
            close(socketFD)
            throw ChildProcessError(description: "cannot bind 127.0.0.1: \(reason)")
        }
        return (socketFD, UInt16(bigEndian: address.sin_port))
    }

    public static func accepts(_ port: UInt16) -> Bool {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { return false }
        defer { close(socketFD) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        return withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// Polls until `port` accepts a connection; throws when `alive` turns false or at the timeout.
    public static func waitUntilAccepting(
        _ port: UInt16, timeout: TimeInterval, while alive: () -> Bool, diagnostics: () -> String
    ) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if accepts(port) { return }
            guard alive() else { throw ChildProcessError(description: "exited before accepting connections on \(port); \(diagnostics())") }
            Thread.sleep(forTimeInterval: 0.01)
        }
        throw ChildProcessError(description: "port \(port) accepted no connection within \(timeout) s; \(diagnostics())")
    }
}
