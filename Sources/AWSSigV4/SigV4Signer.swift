import Encoding

/// AWS Signature Version 4 for one region and service, byte for byte as botocore signs.
public struct SigV4Signer: Sendable {
    public struct Options: Sendable {
        /// Normalise the path (dot segments, `//`) and URI-encode it once more for the canonical request,
        /// as every service but S3 expects. S3 signs the path exactly as sent.
        public var normalizesAndEscapesPath: Bool
        /// Send the payload hash as `X-Amz-Content-SHA256` (S3 requires it).
        public var addsContentSHA256Header: Bool

        public init(normalizesAndEscapesPath: Bool = true, addsContentSHA256Header: Bool = false) {
            self.normalizesAndEscapesPath = normalizesAndEscapesPath
            self.addsContentSHA256Header = addsContentSHA256Header
        }

        /// The S3 rules: path signed as sent, content hash header added.
        public static let s3 = Options(normalizesAndEscapesPath: false, addsContentSHA256Header: true)
    }

    public static let algorithm = "AWS4-HMAC-SHA256"

    public let region: String
    public let service: String
    public let options: Options
    private let keyCache: SigningKeyCache

    public init(region: String, service: String, options: Options = Options(), keyCache: SigningKeyCache = .shared) {
        self.region = region
        self.service = service
        self.options = options
        self.keyCache = keyCache
    }

    /// Signs with headers: returns the request with `X-Amz-Date`, `X-Amz-Security-Token` (temporary
    /// credentials), `X-Amz-Content-SHA256` (if the options ask) and `Authorization` appended, after
    /// dropping any earlier values of those headers. `Host` is signed but not added: the HTTP client sends it.
    public func signHeaders(_ request: SigningRequest, credentials: SigningCredentials, date: AWSTimestamp) -> SignedRequest {
        var headers = request.headers.filter { header in
            let name = lowercasedASCII(header.name)
            return name != "authorization" && name != "x-amz-date"
                && !(name == "x-amz-security-token" && credentials.sessionToken != nil)
                && !(name == "x-amz-content-sha256" && options.addsContentSHA256Header)
        }
        let payloadHash = CanonicalRequest.payloadHash(request.payload, headers: headers)
        let amzDate = date.amzDate
        headers.append(("X-Amz-Date", amzDate))
        if let token = credentials.sessionToken {
            headers.append(("X-Amz-Security-Token", token))
        }
        if options.addsContentSHA256Header {
            headers.append(("X-Amz-Content-SHA256", payloadHash))
        }
        let canonical = CanonicalRequest(
            method: request.method, path: request.path, normalizesAndEscapesPath: options.normalizesAndEscapesPath,
            query: request.query, host: request.host, headers: headers, payloadHash: payloadHash)
        let details = sign(canonical, credentials: credentials, date: date)
        headers.append(("Authorization",
                        "\(SigV4Signer.algorithm) Credential=\(credentials.accessKeyID)/\(details.credentialScope), "
                        + "SignedHeaders=\(details.signedHeaders), Signature=\(details.signature)"))
        var signed = request
        signed.headers = headers
        return SignedRequest(request: signed, details: details)
    }

    /// Presigns with query parameters: the request's own parameters first, then `X-Amz-Algorithm`,
    /// `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-Expires`, `X-Amz-SignedHeaders`, `X-Amz-Security-Token`
    /// (temporary credentials) and, last, `X-Amz-Signature` — botocore's order.
    public func presign(
        _ request: SigningRequest, credentials: SigningCredentials, date: AWSTimestamp, expiresInSeconds: Int
    ) -> SignedRequest {
        let scope = credentialScope(date)
        let payloadHash = CanonicalRequest.payloadHash(request.payload, headers: request.headers)
        let signedHeaders = CanonicalRequest.canonicalHeaders(host: request.host, headers: request.headers).names
        var query = request.query
        query.append(("X-Amz-Algorithm", SigV4Signer.algorithm))
        query.append(("X-Amz-Credential", credentials.accessKeyID + "/" + scope))
        query.append(("X-Amz-Date", date.amzDate))
        query.append(("X-Amz-Expires", String(expiresInSeconds)))
        query.append(("X-Amz-SignedHeaders", signedHeaders.joined(separator: ";")))
        if let token = credentials.sessionToken {
            query.append(("X-Amz-Security-Token", token))
        }
        let canonical = CanonicalRequest(
            method: request.method, path: request.path, normalizesAndEscapesPath: options.normalizesAndEscapesPath,
            query: query, host: request.host, headers: request.headers, payloadHash: payloadHash)
        let details = sign(canonical, credentials: credentials, date: date)
        query.append(("X-Amz-Signature", details.signature))
        var signed = request
        signed.query = query
        return SignedRequest(request: signed, details: details)
    }

    func credentialScope(_ date: AWSTimestamp) -> String {
        date.dateStamp + "/" + region + "/" + service + "/aws4_request"
    }

    private func sign(_ canonical: CanonicalRequest, credentials: SigningCredentials, date: AWSTimestamp) -> SignatureDetails {
        let scope = credentialScope(date)
        let stringToSign = SigV4Signer.algorithm + "\n" + date.amzDate + "\n" + scope + "\n"
            + Hex.encode(SHA256Digest.hash(Array(canonical.text.utf8)))
        let key = keyCache.signingKey(
            secretAccessKey: credentials.secretAccessKey, dateStamp: date.dateStamp, region: region, service: service)
        let signature = Hex.encode(SHA256Digest.hmac(key: key, message: Array(stringToSign.utf8)))
        return SignatureDetails(
            canonicalRequest: canonical.text, stringToSign: stringToSign, signature: signature,
            signedHeaders: canonical.signedHeaders, credentialScope: scope)
    }
}

/// A signed or presigned request and how its signature came about.
public struct SignedRequest: Sendable, CustomStringConvertible {
    /// The request to send: headers (header signing) or query (presigning) now carry the signature.
    public var request: SigningRequest
    public var details: SignatureDetails

    /// The full URL; for a presigned request, the URL to hand out.
    public var url: String { request.url }

    public var description: String {
        "SignedRequest(\(request.method) \(request.scheme)://\(request.host)\(request.path), \(details))"
    }
}

/// The intermediate strings of a signature, for tests and troubleshooting. Treat them as secret:
/// they can hold the session token and the signature; `description` shows neither.
public struct SignatureDetails: Sendable, CustomStringConvertible {
    public var canonicalRequest: String
    public var stringToSign: String
    public var signature: String
    public var signedHeaders: String
    public var credentialScope: String

    public var description: String {
        "SignatureDetails(scope: \(credentialScope), signedHeaders: \(signedHeaders), signature: <redacted>)"
    }
}
