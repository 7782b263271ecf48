import Foundation
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A loopback listener for one streamed response: it reads one chunked HTTP/1.1 request to its
/// last trailer, keeps it, and only then answers `202 Accepted`, so when the runtime has read the
/// answer the request is here to look at.
final class ChunkedRequestRecorder: @unchecked Sendable {
    struct Request {
        var head: String
        var body: [UInt8]
        var trailers: [String: String]
    }

    let port: UInt16
    private let listener: Int32
    private let lock = NSLock()
    private var recorded: Request?

    init() throws {
        let bound = try LoopbackPort.boundSocket(listening: 1)
        listener = bound.socket
        port = bound.port
        Thread.detachNewThread { [self] in serveOne() }
    }

    deinit {
        close(listener)
    }

    var endpoint: String { "127.0.0.1:\(port)" }

    /// The request received, once its answer has been sent.
    var request: Request? {
        lock.withLock { recorded }
    }

    private func serveOne() {
        let connection = accept(listener, nil, nil)
        guard connection >= 0 else { return }
        defer { close(connection) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        var parsed: Request?
        while parsed == nil {
            let count = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return }
            received += buffer[0..<count]
            parsed = Self.parse(received)
        }
        lock.withLock { recorded = parsed }
        let answer = Array("HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n".utf8)
        _ = answer.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// The request once all of it is in `bytes`, else nil.
    static func parse(_ bytes: [UInt8]) -> Request? {
        guard let headEnd = find([13, 10, 13, 10], in: bytes, from: 0) else { return nil }
        var body: [UInt8] = []
        var index = headEnd + 4
        while true {
            guard let lineEnd = find([13, 10], in: bytes, from: index),
                  let size = Int(String(decoding: bytes[index..<lineEnd], as: UTF8.self), radix: 16)
            else { return nil }
            index = lineEnd + 2
            if size == 0 { break }
            guard bytes.count >= index + size + 2 else { return nil }
            body += bytes[index..<(index + size)]
            index += size + 2
        }
        var trailers: [String: String] = [:]
        while true {
            guard let lineEnd = find([13, 10], in: bytes, from: index) else { return nil }
            if lineEnd == index { break }
            let line = String(decoding: bytes[index..<lineEnd], as: UTF8.self)
            if let colon = line.firstIndex(of: ":") {
                trailers[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            index = lineEnd + 2
        }
        return Request(head: String(decoding: bytes[0..<headEnd], as: UTF8.self), body: body, trailers: trailers)
    }

    private static func find(_ needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard bytes.count >= needle.count, start <= bytes.count - needle.count else { return nil }
        return (start...(bytes.count - needle.count)).first { bytes[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}
