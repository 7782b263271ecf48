import AWSSigV4
import CurlHTTP
import JSON

/// Secrets Manager's `GetSecretValue`, signed with SigV4 (JSON 1.1 protocol: `POST /` with
/// `X-Amz-Target: secretsmanager.GetSecretValue`), over HTTPS with the certificate verified.
///
/// The endpoint is `https://secretsmanager.<region>.amazonaws.com`, or `AWS_ENDPOINT_URL_SECRETS_MANAGER`
/// / `AWS_ENDPOINT_URL` as in the AWS SDKs; plain `http` is accepted only for a loopback host.
/// Errors name the secret's ARN and what AWS answered, never the secret's value.
public struct SecretsManagerClient: Sendable {
    public static let signingService = "secretsmanager"
    /// A secret holds at most 64 KiB; a larger answer is refused rather than buffered.
    static let maxResponseBytes = 1 << 20

    public let endpoint: String
    public let region: String
    private let credentials: any CredentialProvider
    private let clock: any AWSClock
    private let timeout: Duration

    public init(
        region: String, environment: [String: String], credentials: some CredentialProvider,
        clock: some AWSClock = SystemClock(), timeout: Duration = .seconds(5)
    ) throws(SecretsManagerError) {
        let endpoint = environment.nonEmpty("AWS_ENDPOINT_URL_SECRETS_MANAGER") ?? environment.nonEmpty("AWS_ENDPOINT_URL")
            ?? "https://secretsmanager.\(region).amazonaws.com"
        guard let parts = SigningRequest(method: "POST", url: endpoint), parts.scheme == "https" || Self.isLoopback(parts.host) else {
            throw SecretsManagerError("The Secrets Manager endpoint \(endpoint) is not an https URL (plain http only on loopback)")
        }
        self.endpoint = endpoint
        self.region = region
        self.credentials = credentials
        self.clock = clock
        self.timeout = timeout
    }

    /// The region of a secret's ARN (`arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME`); nil when it is not one.
    public static func region(ofSecretARN arn: String) -> String? {
        let fields = arn.split(separator: ":", maxSplits: 6, omittingEmptySubsequences: false)
        guard fields.count == 7, fields[0] == "arn", fields[1].hasPrefix("aws"), fields[2] == "secretsmanager",
              !fields[3].isEmpty, fields[4].count == 12, fields[4].allSatisfy(\.isNumber), fields[5] == "secret",
              !fields[6].isEmpty, !arn.utf8.contains(where: { $0 < 0x21 || $0 == 0x7F || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") })
        else { return nil }
        return String(fields[3])
    }

    /// The secret's `SecretString` (its current version).
    public func secretString(_ secretID: String) throws(SecretsManagerError) -> String {
        let body = JSONWriter.serialize(.object([("SecretId", .string(secretID))]))
        let headers = [("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", "secretsmanager.GetSecretValue")]
        guard let unsigned = SigningRequest(method: "POST", url: endpoint, headers: headers, payload: .bytes(body)) else {
            throw SecretsManagerError("The Secrets Manager endpoint \(endpoint) is not an http(s) URL")
        }
        let current: SigningCredentials
        do {
            current = try credentials.credentials()
        } catch {
            throw SecretsManagerError("No AWS credentials to read secret \(secretID): \(error)")
        }
        let request = SigV4Signer(region: region, service: Self.signingService)
            .signHeaders(unsigned, credentials: current, date: clock.now()).request
        let response: HTTPResponse
        do {
            let client = try CurlHTTPClient(options: .init(maxResponseBytes: Self.maxResponseBytes))
            response = try client.perform(
                HTTPRequest(method: "POST", url: request.url, headers: request.headers, body: body), timeout: timeout)
        } catch {
            throw SecretsManagerError("Reading secret \(secretID) from \(endpoint) failed: \(error)")
        }
        guard response.status == 200 else {
            let type = (try? JSONParser.parse(response.body))?["__type"]?.stringValue
            let code = type.map { String($0.split(separator: "#").last ?? Substring($0)).prefix(100) } ?? "unknown error"
            throw SecretsManagerError("Secrets Manager answered HTTP \(response.status) \(code) for secret \(secretID)")
        }
        guard let answer = try? JSONParser.parse(response.body), let text = answer["SecretString"]?.stringValue else {
            throw SecretsManagerError("Secret \(secretID) has no SecretString (a binary secret cannot hold the password)")
        }
        return text
    }

    /// The string field `name` of a secret whose `SecretString` is a JSON object (RDS's `{"username":..,"password":..}`).
    public static func field(_ name: String, ofJSONSecret text: String, secretID: String) throws(SecretsManagerError) -> String {
        guard let fields = try? JSONParser.parse(Array(text.utf8)), case .object = fields else {
            throw SecretsManagerError("Secret \(secretID) is not a JSON object; it must hold {\"\(name)\": \"...\"}")
        }
        guard let value = fields[name]?.stringValue, !value.isEmpty else {
            throw SecretsManagerError("Secret \(secretID) has no string field \"\(name)\"")
        }
        return value
    }

    private static func isLoopback(_ hostHeader: String) -> Bool {
        let host = hostHeader.hasPrefix("[") ? String(hostHeader.prefix { $0 != "]" }) + "]" : String(hostHeader.prefix { $0 != ":" })
        return host == "127.0.0.1" || host == "[::1]" || host == "localhost"
    }
}

/// Why a secret could not be read. Names the secret's ARN, never its value.
public struct SecretsManagerError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
