import CCurl

public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(method: String = "GET", url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header names are lower-cased.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name == wanted }?.value
    }
}

/// A transfer that failed before an HTTP status arrived.
public struct CurlHTTPError: Error, Sendable, CustomStringConvertible {
    /// libcurl's `CURLcode`, or -1 for a failure outside a transfer.
    public var code: Int32
    public var message: String

    public init(code: Int32, message: String) {
        self.code = code
        self.message = message
    }

    /// Nothing was sent: the server is not there (yet), so trying again later may work.
    public var isConnectionFailure: Bool {
        code == Int32(CURLE_COULDNT_CONNECT.rawValue)
    }

    /// The connection broke mid-transfer (reset, closed, or a send/receive failure).
    public var isConnectionLost: Bool {
        [CURLE_GOT_NOTHING, CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_PARTIAL_FILE]
            .contains { code == Int32($0.rawValue) }
    }

    /// The response was larger than `Options.maxResponseBytes`.
    public var isResponseTooLarge: Bool {
        code == Int32(CURLE_FILESIZE_EXCEEDED.rawValue)
    }

    public var isTimeout: Bool {
        code == Int32(CURLE_OPERATION_TIMEDOUT.rawValue)
    }

    public var description: String { "HTTP transfer failed (curl \(code)): \(message)" }
}
