import Foundation
import TestSupport
import Testing

private let toolPath = BuiltProducts.path(of: "msk-iam-token")

/// Runs the built `msk-iam-token` executable. Outside CI a missing build skips the suite; under `CI=true` it fails.
@Suite(.offCooperativePool, .enabled(if: FileManager.default.isExecutableFile(atPath: toolPath) || ContinuousIntegration.isActive,
                "msk-iam-token is not built"))
struct MSKIAMTokenToolTests {
    private func run(_ arguments: [String], environment: [String: String] = ["HOME": "/nonexistent"]) throws -> (Int32, String, String) {
        let path = toolPath
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw MissingToolError("msk-iam-token not built at \(path)")
        }
        let child = try ChildProcess(executable: path, arguments: arguments, environment: environment)
        let status = try child.waitForExit(timeout: 30)  // exit and end-of-file on both pipes
        return (status, child.standardOutput, child.standardError)
    }

    @Test func reproducibleTokenMatchesThePythonSignersURL() throws {
        let base = ["--region", "us-east-1", "--access-key-id", "AKIDEXAMPLE",
                    "--secret-access-key", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "--session-token", "tok/en+=x",
                    "--date", "2026-11-21T12:00:00Z"]
        let (status, url, _) = try run(base + ["--url"])
        #expect(status == 0)
        // The signature aws-msk-iam-sasl-signer-python 1.0.2 produces for these inputs (only User-Agent differs).
        #expect(url.contains("&X-Amz-Signature=164f6cf41d5910a75b175c0c1825e91894cbfb8977c295c8c84fd4f6daf3511a&User-Agent=swift-lambda-kafka%2F"), "\(url)")
        let (tokenStatus, token, _) = try run(base)
        #expect(tokenStatus == 0)
        let lines = token.split(separator: "\n")
        try #require(lines.count == 1)
        var padded = String(lines[0]).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        padded += String(repeating: "=", count: (4 - padded.count % 4) % 4)
        #expect(Data(base64Encoded: padded).map { String(decoding: $0, as: UTF8.self) + "\n" } == url)
    }

    @Test func repeatReportsTheMedianOnStandardError() throws {
        let (status, stdout, stderr) = try run(["--region", "eu-west-1", "--access-key-id", "A", "--secret-access-key", "topsecret",
                                                "--repeat", "50"])
        #expect(status == 0)
        #expect(stdout.split(separator: "\n").count == 1)
        #expect(stderr.contains("µs per token over 50 tokens"), "\(stderr)")
    }

    @Test func missingCredentialsFailWithoutLeakingSecrets() throws {
        let (status, stdout, stderr) = try run(["--region", "us-east-1"],
                                               environment: ["HOME": "/nonexistent", "AWS_SESSION_TOKEN": "leaky-token"])
        #expect(status != 0)
        #expect(stdout == "")
        #expect(stderr.contains("no AWS credentials found"), "\(stderr)")
        #expect(!stderr.contains("leaky-token"), "\(stderr)")
    }
}
