import AWSSigV4
import CurlHTTP
import JSON

/// The ECS / Lambda container credentials endpoint: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (on
/// 169.254.170.2) or `AWS_CONTAINER_CREDENTIALS_FULL_URI`, with `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`
/// or `AWS_CONTAINER_AUTHORIZATION_TOKEN` as the `Authorization` header.
struct ContainerCredentialSource: Sendable {
    static let name = "container endpoint"
    /// Credential answers are a few hundred bytes; a larger body is refused rather than buffered.
    static let maxResponseBytes = 1 << 20

    let url: String
    let tokenFile: String?
    let token: String?
    let timeout: Duration

    /// `nil` when neither variable is set.
    init?(environment: [String: String], timeout: Duration) throws(CredentialSourceError) {
        if let relative = environment.nonEmpty("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
            url = "http://169.254.170.2" + (relative.hasPrefix("/") ? relative : "/" + relative)
        } else if let full = environment.nonEmpty("AWS_CONTAINER_CREDENTIALS_FULL_URI") {
            guard let parts = SigningRequest(method: "GET", url: full) else {
                throw CredentialSourceError(source: Self.name, reason: "AWS_CONTAINER_CREDENTIALS_FULL_URI is not an http(s) URL")
            }
            let host = parts.host.hasPrefix("[") ? String(parts.host.prefix { $0 != "]" }) + "]"
                : String(parts.host.prefix { $0 != ":" })
            guard parts.scheme == "https" || ContainerEndpointHost.allowsPlainHTTP(host) else {
                throw CredentialSourceError(
                    source: Self.name,
                    reason: "AWS_CONTAINER_CREDENTIALS_FULL_URI host \(host) is neither loopback nor a container endpoint; use https")
            }
            url = full
        } else {
            return nil
        }
        tokenFile = environment.nonEmpty("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
        token = environment.nonEmpty("AWS_CONTAINER_AUTHORIZATION_TOKEN")
        self.timeout = timeout
    }

    /// A CR or LF would end the header line and start another one of the token's choosing (botocore refuses them too).
    private static func headerValue(_ token: String, from variable: String) throws(CredentialSourceError) -> String {
        guard !token.utf8.contains(where: { $0 == 0x0d || $0 == 0x0a || $0 == 0 }) else {
            throw CredentialSourceError(
                source: name, reason: "\(variable): the authorization token contains a line break or NUL; it is not a legal header value")
        }
        return token
    }

    /// `{"AccessKeyId": ..., "SecretAccessKey": ..., "Token": ..., "Expiration": ...}`; other members are ignored.
    private struct Response {
        var accessKeyID: String
        var secretAccessKey: String
        var token: String?
        var expiration: String?

        init?(_ body: [UInt8]) {
            guard let document = try? JSONParser.parse(body),
                  case let .string(accessKeyID)? = document["AccessKeyId"],
                  case let .string(secretAccessKey)? = document["SecretAccessKey"],
                  case let .some(token) = Self.optionalString(document["Token"]),
                  case let .some(expiration) = Self.optionalString(document["Expiration"])
            else { return nil }
            self.accessKeyID = accessKeyID
            self.secretAccessKey = secretAccessKey
            self.token = token
            self.expiration = expiration
        }

        /// A string member, `.some(nil)` when absent or null, nil when of another type.
        private static func optionalString(_ value: JSONValue?) -> String?? {
            switch value {
            case nil, .null?: .some(nil)
            case let .string(text)?: .some(text)
            default: nil
            }
        }
    }

    func fetch() throws(CredentialSourceError) -> SigningCredentials {
        var headers: [(name: String, value: String)] = []
        if let tokenFile {
            let fileToken: String
            do {
                fileToken = try readSmallFile(tokenFile).trimmingSpaces()
            } catch {
                throw CredentialSourceError(source: Self.name, reason: "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: \(error)")
            }
            headers.append(("Authorization", try Self.headerValue(fileToken, from: "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")))
        } else if let token {
            headers.append(("Authorization", try Self.headerValue(token, from: "AWS_CONTAINER_AUTHORIZATION_TOKEN")))
        }
        let response: HTTPResponse
        do {
            let client = try CurlHTTPClient(options: .init(bypassProxy: true, maxResponseBytes: Self.maxResponseBytes))
            response = try client.perform(HTTPRequest(method: "GET", url: url, headers: headers), timeout: timeout)
        } catch {
            throw CredentialSourceError(source: Self.name, reason: "request failed: \(error)")
        }
        guard response.status == 200 else {
            throw CredentialSourceError(source: Self.name, reason: "endpoint answered HTTP \(response.status)")
        }
        guard let decoded = Response(response.body) else {
            throw CredentialSourceError(source: Self.name, reason: "response is not the expected JSON")
        }
        var expiration: AWSTimestamp?
        if let text = decoded.expiration {
            guard let parsed = AWSTimestamp(iso8601: text) else {
                throw CredentialSourceError(source: Self.name, reason: "Expiration is not ISO 8601")
            }
            expiration = parsed
        }
        return SigningCredentials(
            accessKeyID: decoded.accessKeyID, secretAccessKey: decoded.secretAccessKey, sessionToken: decoded.token,
            expiration: expiration)
    }
}
