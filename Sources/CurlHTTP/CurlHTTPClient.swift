import CCurl
import CCurlShim

/// A blocking HTTP/1.1 client over one libcurl easy handle.
///
/// One handle means one connection cache: consecutive requests to the same host reuse the
/// same keep-alive connection. The client is not thread-safe; give each thread its own.
public final class CurlHTTPClient {
    private let handle: UnsafeMutableRawPointer
    private let options: Options

    public struct Options: Sendable {
        /// Ignore `http_proxy` and friends; right for loopback endpoints such as the Runtime API.
        public var bypassProxy: Bool
        /// Verify the server's TLS certificate and host name.
        public var verifyTLS: Bool
        /// A PEM bundle to trust instead of the system's.
        public var caFile: String?
        /// Refuse (`isResponseTooLarge`) a response whose body, or whose header block, is larger; nil: no cap.
        public var maxResponseBytes: Int?

        public init(bypassProxy: Bool = false, verifyTLS: Bool = true, caFile: String? = nil, maxResponseBytes: Int? = nil) {
            self.bypassProxy = bypassProxy
            self.verifyTLS = verifyTLS
            self.caFile = caFile
            self.maxResponseBytes = maxResponseBytes
        }
    }

    public init(options: Options = Options()) throws(CurlHTTPError) {
        guard CurlGlobal.initialised else {
            throw CurlHTTPError(code: -1, message: "curl_global_init failed")
        }
        guard let handle = curl_easy_init() else {
            throw CurlHTTPError(code: -1, message: "curl_easy_init failed")
        }
        self.handle = handle
        self.options = options
    }

    deinit {
        curl_easy_cleanup(handle)
    }

    /// Sends one request and waits for the whole response.
    /// - Parameter timeout: the bound on the whole transfer; `nil` waits forever (as `next` must).
    /// - Parameter bodyStorage: empty storage the response's body is written into when it fits
    ///   (see `ResponseCollector.strandedBytesAllowed`); pass it with `consume`, or the first byte copies it.
    public func perform(
        _ request: HTTPRequest, timeout: Duration? = nil, bodyStorage: consuming [UInt8] = []
    ) throws(CurlHTTPError) -> HTTPResponse {
        curl_easy_reset(handle)
        let collector = ResponseCollector(limit: options.maxResponseBytes ?? Int.max, storage: consume bodyStorage)
        let unmanagedCollector = Unmanaged.passRetained(collector)
        defer { unmanagedCollector.release() }

        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        // The handle keeps pointers to the header list and the collector; clear them before either
        // goes (defers run last first), so no option outlives this call. Connections stay cached.
        defer { curl_easy_reset(handle) }
        for (name, value) in request.headers {
            headerList = curl_slist_append(headerList, "\(name): \(value)")
        }
        // libcurl adds "Expect: 100-continue" to larger POSTs, which costs a round trip.
        headerList = curl_slist_append(headerList, "Expect:")

        try check(cshim_curl_setopt_string(handle, CURLOPT_URL, request.url), "URL")
        try check(cshim_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1), "NOSIGNAL")
        try check(cshim_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList), "HTTPHEADER")
        try check(cshim_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, options.verifyTLS ? 1 : 0), "SSL_VERIFYPEER")
        try check(cshim_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, options.verifyTLS ? 2 : 0), "SSL_VERIFYHOST")
        if let caFile = options.caFile {
            try check(cshim_curl_setopt_string(handle, CURLOPT_CAINFO, caFile), "CAINFO")
        }
        if options.bypassProxy {
            try check(cshim_curl_setopt_string(handle, CURLOPT_NOPROXY, "*"), "NOPROXY")
        }
        if let timeout {
            try check(cshim_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(max(1, timeout.milliseconds))), "TIMEOUT_MS")
        }
        if let limit = options.maxResponseBytes {
            // Refuses a declared Content-Length at once; the callbacks below catch undeclared sizes.
            try check(cshim_curl_setopt_off_t(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(limit)), "MAXFILESIZE_LARGE")
        }

        let userdata = unmanagedCollector.toOpaque()
        try check(cshim_curl_setopt_callback(handle, CURLOPT_WRITEFUNCTION, { data, size, count, userdata in
            guard let data, let userdata else { return 0 }
            let collector = Unmanaged<ResponseCollector>.fromOpaque(userdata).takeUnretainedValue()
            let length = size * count
            guard collector.body.count + length <= collector.limit else {
                collector.exceededLimit = true
                return 0  // libcurl aborts the transfer
            }
            data.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
                collector.body.append(contentsOf: UnsafeBufferPointer(start: bytes, count: length))
            }
            return length
        }), "WRITEFUNCTION")
        try check(cshim_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, userdata), "WRITEDATA")
        try check(cshim_curl_setopt_callback(handle, CURLOPT_HEADERFUNCTION, { data, size, count, userdata in
            guard let data, let userdata else { return 0 }
            let collector = Unmanaged<ResponseCollector>.fromOpaque(userdata).takeUnretainedValue()
            let length = size * count
            collector.headerBytes += length
            guard collector.headerBytes <= collector.limit else {
                collector.exceededLimit = true
                return 0
            }
            data.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
                collector.addHeaderLine(UnsafeBufferPointer(start: bytes, count: length))
            }
            return length
        }), "HEADERFUNCTION")
        try check(cshim_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, userdata), "HEADERDATA")

        switch request.method {
        case "GET":
            try check(cshim_curl_setopt_long(handle, CURLOPT_HTTPGET, 1), "HTTPGET")
        default:
            if request.method != "POST" {
                try check(cshim_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method), "CUSTOMREQUEST")
            }
        }

        let code: CURLcode = request.body.withUnsafeBufferPointer { body in
            if request.method != "GET" {
                // POSTFIELDS sends from our buffer without a copy: the transfer ends inside this closure.
                // The size must come first.
                var status = cshim_curl_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
                if status == CURLE_OK {
                    status = cshim_curl_setopt_pointer(
                        handle, CURLOPT_POSTFIELDS,
                        UnsafeMutableRawPointer(mutating: body.baseAddress ?? UnsafePointer(emptyBody)))
                }
                if status != CURLE_OK { return status }
            }
            return curl_easy_perform(handle)
        }
        if collector.exceededLimit || code == CURLE_FILESIZE_EXCEEDED {
            throw CurlHTTPError(
                code: Int32(CURLE_FILESIZE_EXCEEDED.rawValue),
                message: "the response is larger than \(options.maxResponseBytes ?? 0) bytes; refused")
        }
        try check(code, "perform")

        var status = 0
        try check(cshim_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status), "RESPONSE_CODE")
        return HTTPResponse(status: status, headers: collector.headers, body: collector.body)
    }

    private func check(_ code: CURLcode, _ step: String) throws(CurlHTTPError) {
        guard code == CURLE_OK else {
            let reason = curl_easy_strerror(code).map { String(cString: $0) } ?? "unknown error"
            throw CurlHTTPError(code: Int32(code.rawValue), message: "\(step): \(reason)")
        }
    }
}

/// A zero-length C string for empty request bodies: libcurl needs a valid pointer even for 0 bytes.
private nonisolated(unsafe) let emptyBody: UnsafeMutablePointer<UInt8> = {
    let pointer = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
    pointer.initialize(to: 0)
    return pointer
}()

private enum CurlGlobal {
    // Swift runs a global's initialiser exactly once, thread-safely: curl_global_init needs that.
    static let initialised: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
}

private final class ResponseCollector {
    let limit: Int
    var body: [UInt8] = []
    var headers: [(name: String, value: String)] = []
    var headerBytes = 0
    var exceededLimit = false

    init(limit: Int, storage: consuming [UInt8]) {
        self.limit = limit
        body = storage
    }

    /// Storage handed in is kept for a declared length it holds without stranding more than this
    /// beyond it; otherwise it is let go before the body's own is made, so the two never coexist.
    static let strandedBytesAllowed = 1 << 20

    /// Declared lengths above this are not trusted for a reservation (the body may still be that long).
    static let reservedBodyLimit = 16 << 20

    func addHeaderLine(_ line: UnsafeBufferPointer<UInt8>) {
        let text = String(decoding: line, as: UTF8.self)
        if text.hasPrefix("HTTP/") {
            // A new status line (after a redirect or 100 Continue) starts a new header block.
            headers.removeAll(keepingCapacity: true)
            return
        }
        guard let colon = text.firstIndex(of: ":") else { return }
        let name = text[..<colon].lowercased()
        let value = text[text.index(after: colon)...].trimmingWhitespace()
        headers.append((name, value))
        // The body arrives in pieces: sized once from its declared length, it is not copied as it grows.
        if name == "content-length", let length = Int(value), (0...Self.reservedBodyLimit).contains(length) {
            if body.isEmpty && (body.capacity < length || body.capacity > length + Self.strandedBytesAllowed) {
                body = []
            }
            body.reserveCapacity(length)
        }
    }
}

extension Substring {
    /// Trims scalar by scalar: as a `Character`, a line's "\r\n" is one grapheme equal to
    /// neither "\r" nor "\n", so character-wise trimming would leave it in place.
    fileprivate func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else {
            return ""
        }
        return String(scalars[first...last])
    }
}

extension Duration {
    /// Whole milliseconds, rounded down.
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
