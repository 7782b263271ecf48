import AWSSigV4
import CurlHTTP

/// The two STS Query API calls the chain needs: `AssumeRole` (signed) and `AssumeRoleWithWebIdentity` (unsigned).
struct STSClient: Sendable {
    /// `https://sts.<region>.amazonaws.com`, or `AWS_ENDPOINT_URL_STS` / `AWS_ENDPOINT_URL` when set.
    let endpoint: String
    let region: String
    let timeout: Duration
    /// STS answers are a few kilobytes; a larger body is refused rather than buffered.
    static let maxResponseBytes = 1 << 20

    init(environment: [String: String], region: String?, timeout: Duration) {
        let region = region ?? "us-east-1"
        self.region = region
        self.endpoint = environment.nonEmpty("AWS_ENDPOINT_URL_STS") ?? environment.nonEmpty("AWS_ENDPOINT_URL")
            ?? "https://sts.\(region).amazonaws.com"
        self.timeout = timeout
    }

    func assumeRole(
        roleARN: String, sessionName: String, externalID: String?, durationSeconds: Int?,
        credentials: SigningCredentials, now: AWSTimestamp, source: String
    ) throws(CredentialSourceError) -> SigningCredentials {
        var parameters = [("Action", "AssumeRole"), ("Version", "2011-06-15"), ("RoleArn", roleARN), ("RoleSessionName", sessionName)]
        if let externalID { parameters.append(("ExternalId", externalID)) }
        if let durationSeconds { parameters.append(("DurationSeconds", String(durationSeconds))) }
        return try call(parameters, signingWith: credentials, now: now, source: source, resultElement: "AssumeRoleResult")
    }

    func assumeRoleWithWebIdentity(
        roleARN: String, sessionName: String, webIdentityToken: String, now: AWSTimestamp, source: String
    ) throws(CredentialSourceError) -> SigningCredentials {
        let parameters = [("Action", "AssumeRoleWithWebIdentity"), ("Version", "2011-06-15"), ("RoleArn", roleARN),
                          ("RoleSessionName", sessionName), ("WebIdentityToken", webIdentityToken)]
        return try call(parameters, signingWith: nil, now: now, source: source, resultElement: "AssumeRoleWithWebIdentityResult")
    }

    private func call(
        _ parameters: [(String, String)], signingWith credentials: SigningCredentials?, now: AWSTimestamp, source: String,
        resultElement: String
    ) throws(CredentialSourceError) -> SigningCredentials {
        let body = Array(parameters.map {
            AWSPercentEncoding.encodeQueryComponent($0.0) + "=" + AWSPercentEncoding.encodeQueryComponent($0.1)
        }.joined(separator: "&").utf8)
        let contentType = ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
        guard var request = SigningRequest(method: "POST", url: endpoint, headers: [contentType], payload: .bytes(body)) else {
            throw CredentialSourceError(source: source, reason: "STS endpoint \(endpoint) is not an http(s) URL")
        }
        if let credentials {
            request = SigV4Signer(region: region, service: "sts").signHeaders(request, credentials: credentials, date: now).request
        }
        let response: HTTPResponse
        do {
            let client = try CurlHTTPClient(options: .init(maxResponseBytes: Self.maxResponseBytes))
            response = try client.perform(HTTPRequest(method: "POST", url: request.url, headers: request.headers, body: body),
                                          timeout: timeout)
        } catch {
            throw CredentialSourceError(source: source, reason: "STS request to \(endpoint) failed: \(error)")
        }
        let xml = XMLFieldScanner(String(decoding: response.body, as: UTF8.self))
        guard response.status == 200 else {
            let code = xml.text(of: "Code", inside: "Error") ?? "unknown error"
            let message = xml.text(of: "Message", inside: "Error").map { ": " + $0.prefix(300) } ?? ""
            throw CredentialSourceError(source: source, reason: "STS answered HTTP \(response.status) \(code)\(message)")
        }
        guard let accessKeyID = xml.text(of: "AccessKeyId", inside: resultElement),
              let secret = xml.text(of: "SecretAccessKey", inside: resultElement),
              let token = xml.text(of: "SessionToken", inside: resultElement),
              let expirationText = xml.text(of: "Expiration", inside: resultElement),
              let expiration = AWSTimestamp(iso8601: expirationText)
        else {
            throw CredentialSourceError(source: source, reason: "STS response lacks \(resultElement) credentials")
        }
        return SigningCredentials(accessKeyID: accessKeyID, secretAccessKey: secret, sessionToken: token, expiration: expiration)
    }
}
