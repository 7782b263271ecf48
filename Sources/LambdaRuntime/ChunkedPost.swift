#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One HTTP/1.1 POST with a chunked body written as it is produced, over its own connection to the
/// Runtime API (plain HTTP on the sandbox's loopback), ending with trailers.
///
/// libcurl pulls an upload through a read callback, which would invert the handler's push of
/// records; the streaming contract needs only chunk framing and trailers, so they are written here.
final class ChunkedPost {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let connection: Int32
    private var finished = false
    /// Bytes of body sent so far (chunk framing excluded).
    private(set) var bodyBytes = 0

    /// Connects and sends the request head.
    /// - Parameter endpoint: `host:port`, as in `AWS_LAMBDA_RUNTIME_API`.
    init(endpoint: String, path: String, headers: [(name: String, value: String)]) throws(Failure) {
        connection = try Self.openConnection(endpoint)
        var head = "POST \(path) HTTP/1.1\r\nHost: \(endpoint)\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n"
        for (name, value) in headers {
            head += "\(name): \(value)\r\n"
        }
        head += "\r\n"
        do {
            try sendAll(Array(head.utf8))
        } catch {
            close(connection)
            throw error
        }
    }

    deinit {
        close(connection)
    }

    /// Sends `bytes` as one chunk (nothing for an empty array: an empty chunk ends the body).
    func write(_ bytes: [UInt8]) throws(Failure) {
        guard !bytes.isEmpty else { return }
        try sendAll(Array((String(bytes.count, radix: 16) + "\r\n").utf8))
        try sendAll(bytes)
        try sendAll([13, 10])
        bodyBytes += bytes.count
    }

    /// Ends the body with `trailers` and returns the answer's HTTP status.
    func finish(trailers: [(name: String, value: String)]) throws(Failure) -> Int {
        precondition(!finished, "finish called twice")
        finished = true
        var end = "0\r\n"
        for (name, value) in trailers {
            end += "\(name): \(value)\r\n"
        }
        end += "\r\n"
        try sendAll(Array(end.utf8))
        return try readStatus()
    }

    private func sendAll(_ bytes: [UInt8]) throws(Failure) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                #if canImport(Darwin)
                return send(connection, base + offset, buffer.count - offset, 0)
                #else
                return send(connection, base + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                #endif
            }
            if sent < 0 {
                if errno == EINTR { continue }
                throw Failure(description: "sending the streamed response failed: \(String(cString: strerror(errno)))")
            }
            offset += sent
        }
    }

    /// Reads up to the end of the answer's head and returns its status code.
    private func readStatus() throws(Failure) -> Int {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !received.containsHeadEnd, received.count < 64 * 1024 {
            let count = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            received += buffer[0..<count]
        }
        // "HTTP/1.1 202 Accepted"
        let statusLine = received.prefix { $0 != 13 && $0 != 10 }
        let fields = statusLine.split(separator: UInt8(ascii: " "))
        guard fields.count >= 2, let status = Int(String(decoding: fields[1], as: UTF8.self)) else {
            throw Failure(description: "the Runtime API gave no HTTP answer to the streamed response")
        }
        return status
    }

    private static func openConnection(_ endpoint: String) throws(Failure) -> Int32 {
        guard let colon = endpoint.lastIndex(of: ":") else {
            throw Failure(description: "the Runtime API endpoint \(endpoint) has no port")
        }
        var host = String(endpoint[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let port = String(endpoint[endpoint.index(after: colon)...])
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Darwin)
        hints.ai_socktype = SOCK_STREAM
        #else
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, port, &hints, &list) == 0, let first = list else {
            throw Failure(description: "cannot resolve the Runtime API host \(host)")
        }
        defer { freeaddrinfo(list) }
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let address = candidate {
            let descriptor = socket(address.pointee.ai_family, address.pointee.ai_socktype, address.pointee.ai_protocol)
            if descriptor >= 0 {
                if connect(descriptor, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 {
                    var one: Int32 = 1
                    setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                    return descriptor
                }
                close(descriptor)
            }
            candidate = address.pointee.ai_next
        }
        throw Failure(description: "cannot connect to the Runtime API at \(endpoint): \(String(cString: strerror(errno)))")
    }
}

extension [UInt8] {
    fileprivate var containsHeadEnd: Bool {
        guard count >= 4 else { return false }
        for index in 0...(count - 4) where self[index] == 13 && self[index + 1] == 10 && self[index + 2] == 13 && self[index + 3] == 10 {
            return true
        }
        return false
    }
}
