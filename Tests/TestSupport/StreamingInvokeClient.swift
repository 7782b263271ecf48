#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The answer of the streaming Invoke route, read off the wire: status, headers, the body with its
/// chunk framing removed, and the trailers.
public struct StreamedAnswer: Sendable {
    public var status: Int
    /// Names in lower case.
    public var headers: [String: String]
    public var body: Data
    /// Names in lower case.
    public var trailers: [String: String]
    public var chunkCount: Int

    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// A blocking HTTP/1.1 client for `POST /2021-11-15/functions/function/response-streaming-invocations`
/// that keeps what URLSession hides: chunk boundaries and trailers.
public final class StreamingInvokeClient {
    private let descriptor: Int32
    private var buffer: [UInt8] = []

    /// Connects to `127.0.0.1:port` and sends the invoke request.
    public convenience init(port: Int, event: String, headers: [String: String] = [:]) throws {
        var head = "POST /2021-11-15/functions/function/response-streaming-invocations HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        head += "Content-Length: \(event.utf8.count)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        try self.init(port: port, request: head + event)
    }

    /// Connects to `127.0.0.1:port` and sends `request`, a whole HTTP/1.1 request (for example a GET to the local gateway).
    public init(port: Int, request text: String) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw EmulatorHarnessError("socket failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(descriptor)
            throw EmulatorHarnessError("cannot connect to the emulator on \(port)")
        }
        let request = Array(text.utf8)
        var offset = 0
        while offset < request.count {
            let sent = request.withUnsafeBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return send(descriptor, base + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else {
                close(descriptor)
                throw EmulatorHarnessError("sending the invoke request failed")
            }
            offset += sent
        }
    }

    deinit {
        close(descriptor)
    }

    /// Reads the status line and headers.
    public func readHead() throws -> (status: Int, headers: [String: String]) {
        let headText = try readUntil(Array("\r\n\r\n".utf8))
        let lines = String(decoding: headText, as: UTF8.self).components(separatedBy: "\r\n")
        let statusFields = (lines.first ?? "").split(separator: " ")
        guard statusFields.count >= 2, let status = Int(statusFields[1]) else {
            throw EmulatorHarnessError("no HTTP status line: \(lines.first ?? "")")
        }
        return (status, Self.fields(lines.dropFirst()))
    }

    /// The next chunk's data, or nil at the last (empty) chunk, after which `readTrailers` follows.
    public func readChunk() throws -> [UInt8]? {
        let sizeLine = String(decoding: try readUntil([13, 10]), as: UTF8.self)
        guard let size = Int(sizeLine.split(separator: ";").first ?? "", radix: 16) else {
            throw EmulatorHarnessError("bad chunk size line '\(sizeLine)'")
        }
        if size == 0 { return nil }
        let data = try readExactly(size)
        guard try readExactly(2) == [13, 10] else { throw EmulatorHarnessError("chunk not followed by CRLF") }
        return data
    }

    public func readTrailers() throws -> [String: String] {
        var lines: [String] = []
        while true {
            let line = try readUntil([13, 10])
            if line.isEmpty { return Self.fields(lines[...]) }
            lines.append(String(decoding: line, as: UTF8.self))
        }
    }

    /// Reads the whole answer (a chunked one: as the streaming route sends).
    public func readAll() throws -> StreamedAnswer {
        let (status, headers) = try readHead()
        var body = Data()
        var chunks = 0
        if headers["transfer-encoding"]?.lowercased() == "chunked" {
            while let chunk = try readChunk() {
                body.append(contentsOf: chunk)
                chunks += 1
            }
            return StreamedAnswer(status: status, headers: headers, body: body, trailers: try readTrailers(), chunkCount: chunks)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        body.append(contentsOf: try readExactly(length))
        return StreamedAnswer(status: status, headers: headers, body: body, trailers: [:], chunkCount: 0)
    }

    private static func fields(_ lines: ArraySlice<String>) -> [String: String] {
        var result: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            result[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return result
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 256 * 1024)
        let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { throw EmulatorHarnessError("the connection closed before the answer was complete") }
        buffer += chunk[0..<count]
    }

    private func readExactly(_ count: Int) throws -> [UInt8] {
        while buffer.count < count { try fill() }
        let result = Array(buffer[0..<count])
        buffer.removeFirst(count)
        return result
    }

    /// Bytes up to `terminator` (which is dropped).
    private func readUntil(_ terminator: [UInt8]) throws -> [UInt8] {
        var searchFrom = 0
        while true {
            if buffer.count >= terminator.count {
                var index = searchFrom
                while index + terminator.count <= buffer.count {
                    if Array(buffer[index..<(index + terminator.count)]) == terminator {
                        let result = Array(buffer[0..<index])
                        buffer.removeFirst(index + terminator.count)
                        return result
                    }
                    index += 1
                }
                searchFrom = max(0, buffer.count - terminator.count + 1)
            }
            try fill()
        }
    }
}
