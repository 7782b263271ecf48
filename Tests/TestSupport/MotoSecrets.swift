import Foundation

/// Secrets Manager calls against moto made with the `curl` command line, so the secrets a test reads
/// with the project's own client are written by an independent one. moto routes a request by the
/// service in its Authorization header's scope and does not check the signature.
public struct MotoSecrets {
    public let endpoint: String

    public init(endpoint: String) {
        self.endpoint = endpoint
    }

    /// Creates a secret and answers its ARN.
    public func create(name: String, secretString: String) throws -> String {
        let answer = try call("CreateSecret", ["Name": name, "SecretString": secretString])
        guard let arn = answer["ARN"] as? String else { throw MotoSecretsError("CreateSecret answered no ARN: \(answer)") }
        return arn
    }

    /// Stores a new current version of the secret (what a rotation does).
    public func put(_ secretID: String, secretString: String) throws {
        _ = try call("PutSecretValue", ["SecretId": secretID, "SecretString": secretString])
    }

    private func call(_ operation: String, _ body: [String: String]) throws -> [String: Any] {
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        let json = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
        curl.arguments = [
            "-sS", "--fail-with-body", "-X", "POST", endpoint + "/",
            "-H", "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/secretsmanager/aws4_request, SignedHeaders=host, Signature=0",
            "-H", "X-Amz-Target: secretsmanager.\(operation)", "-H", "Content-Type: application/x-amz-json-1.1",
            "--data-binary", json,
        ]
        let output = Pipe()
        curl.standardOutput = output
        curl.standardError = FileHandle.nullDevice
        try curl.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        curl.waitUntilExit()
        guard curl.terminationStatus == 0, let answer = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw MotoSecretsError("\(operation) failed (curl \(curl.terminationStatus)): \(String(decoding: data, as: UTF8.self))")
        }
        return answer
    }
}

public struct MotoSecretsError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
