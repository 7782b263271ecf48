import AWSSigV4
import Foundation

/// The signing test vectors `scripts/sigv4-vectors` writes from botocore's and AWS's own signers,
/// each test target holding its file in its `Fixtures` folder: `{"cases": [...]}`.
public enum SigningVectors {
    /// The cases of `Fixtures/<name>.json` in `bundle` (the calling target's `Bundle.module`).
    public static func cases<Case: Decodable>(_ name: String, in bundle: Bundle) throws -> [Case] {
        guard let url = bundle.url(forResource: name, withExtension: "json", subdirectory: "Fixtures") else {
            throw MissingVectors(name: name)
        }
        return try JSONDecoder().decode(VectorFile<Case>.self, from: Data(contentsOf: url)).cases
    }

    private struct VectorFile<Case: Decodable>: Decodable {
        var cases: [Case]
    }

    private struct MissingVectors: Error, CustomStringConvertible {
        var name: String
        var description: String { "Fixtures/\(name).json is not in the test bundle" }
    }
}

/// What every vector's input holds: the credentials it was signed with and when.
public protocol SigningVectorInput {
    var accessKeyID: String { get }
    var secretAccessKey: String { get }
    var sessionToken: String? { get }
    var epochSeconds: Int64 { get }
}

extension SigningVectorInput {
    public var credentials: SigningCredentials {
        SigningCredentials(accessKeyID: accessKeyID, secretAccessKey: secretAccessKey, sessionToken: sessionToken)
    }

    /// A clock that always reads the vector's signing time.
    public var clock: FixedClock { FixedClock(AWSTimestamp(epochSeconds: epochSeconds)) }
}
