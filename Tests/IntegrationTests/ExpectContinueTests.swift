import Foundation
import Testing
import TestSupport

/// curl sends `Expect: 100-continue` for bodies over 1 MiB and waits a second for `100 Continue`
/// before it sends the body; the emulator answers it at once, as AWS's RIE does.
@Suite(.offCooperativePool) struct ExpectContinueTests {
    @Test func anInvokeThatExpectsContinueGetsItBeforeSendingItsBody() throws {
        let emulator = try diagnosticEmulator()
        defer { emulator.stop() }
        let body = Array(#"{"action":"diagnostic.context"}"#.utf8)
        let socket = try RawConnection(port: emulator.port)
        defer { socket.close() }
        try socket.send(Array("""
            POST /2015-03-31/functions/function/invocations HTTP/1.1\r
            Host: 127.0.0.1\r
            Content-Length: \(body.count)\r
            Expect: 100-continue\r
            \r

            """.utf8))
        // Only the head is sent: the interim answer must come without the body.
        let interim = try socket.receive(until: "\r\n\r\n")
        #expect(interim.hasPrefix("HTTP/1.1 100 Continue"), "got: \(interim)")
        try socket.send(body)
        let final = try socket.receive(until: "\r\n\r\n")
        #expect(final.hasPrefix("HTTP/1.1 200 OK"), "got: \(final.prefix(200))")
    }
}

/// A blocking loopback TCP connection whose reads give up after `timeoutSeconds`.
private final class RawConnection {
    private let descriptor: Int32

    init(port: Int, timeoutSeconds: Int = 20) throws {
        descriptor = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw EmulatorHarnessError("socket() failed") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            Foundation.close(descriptor)
            throw EmulatorHarnessError("cannot connect to 127.0.0.1:\(port)")
        }
    }

    func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let written = bytes[sent...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard written > 0 else { throw EmulatorHarnessError("write failed") }
            sent += written
        }
    }

    /// Reads until `marker` has arrived; throws when the peer closes or the read times out first.
    func receive(until marker: String) throws -> String {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !String(decoding: received, as: UTF8.self).contains(marker) {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else {
                throw EmulatorHarnessError("no '\(marker)' before the connection ended or timed out; got: \(String(decoding: received, as: UTF8.self))")
            }
            received += chunk[..<count]
        }
        return String(decoding: received, as: UTF8.self)
    }

    func close() {
        Foundation.close(descriptor)
    }
}
