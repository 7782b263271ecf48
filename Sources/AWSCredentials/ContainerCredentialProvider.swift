import AWSSigV4
import CurlHTTP

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The ECS / Lambda container credentials endpoint: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (on
/// 169.254.170.2) or `AWS_CONTAINER_CREDENTIALS_FULL_URI`, with `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`
/// or `AWS_CONTAINER_AUTHORIZATION_TOKEN` as the `Authorization` header.
struct ContainerCredentialSource: Sendable {
    static let name = "container endpoint"
    /// Hosts botocore accepts over plain HTTP besides loopback addresses.
    static let allowedHTTPHosts: Set<String> = ["169.254.170.2", "169.254.170.23", "[fd00:ec2::23]", "localhost"]

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
            guard parts.scheme == "https" || Self.allowedHTTPHosts.contains(host) || Self.isLoopback(host) else {
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

    private static func isLoopback(_ host: String) -> Bool {
        host == "[::1]" || (host.hasPrefix("127.") && host.split(separator: ".").count == 4)
    }

    private struct Response: Decodable {
        var AccessKeyId: String
        var SecretAccessKey: String
        var Token: String?
        var Expiration: String?
    }

    func fetch() throws(CredentialSourceError) -> SigningCredentials {
        var headers: [(name: String, value: String)] = []
        if let tokenFile {
            do {
                headers.append(("Authorization", try readSmallFile(tokenFile).trimmingSpaces()))
            } catch {
                throw CredentialSourceError(source: Self.name, reason: "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: \(error)")
            }
        } else if let token {
            headers.append(("Authorization", token))
        }
        let response: HTTPResponse
        do {
            let client = try CurlHTTPClient(options: .init(bypassProxy: true))
            response = try client.perform(HTTPRequest(method: "GET", url: url, headers: headers), timeout: timeout)
        } catch {
            throw CredentialSourceError(source: Self.name, reason: "request failed: \(error)")
        }
        guard response.status == 200 else {
            throw CredentialSourceError(source: Self.name, reason: "endpoint answered HTTP \(response.status)")
        }
        let decoded: Response
        do {
            decoded = try JSONDecoder().decode(Response.self, from: Data(response.body))
        } catch {
            throw CredentialSourceError(source: Self.name, reason: "response is not the expected JSON")
        }
        var expiration: AWSTimestamp?
        if let text = decoded.Expiration {
            guard let parsed = AWSTimestamp(iso8601: text) else {
                throw CredentialSourceError(source: Self.name, reason: "Expiration is not ISO 8601")
            }
            expiration = parsed
        }
        return SigningCredentials(
            accessKeyID: decoded.AccessKeyId, secretAccessKey: decoded.SecretAccessKey, sessionToken: decoded.Token,
            expiration: expiration)
    }
}
