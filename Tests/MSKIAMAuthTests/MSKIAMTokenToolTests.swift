import Foundation
import TestSupport
import XCTest

/// Runs the built `msk-iam-token` executable.
final class MSKIAMTokenToolTests: XCTestCase {
    private func run(_ arguments: [String], environment: [String: String] = ["HOME": "/nonexistent"]) throws -> (Int32, String, String) {
        let path = BuiltProducts.path(of: "msk-iam-token")
        guard FileManager.default.isExecutableFile(atPath: path) else {
            let reason = "msk-iam-token not built at \(path)"
            throw ContinuousIntegration.isActive ? MissingToolError(reason) as any Error : XCTSkip(reason)
        }
        let child = try ChildProcess(executable: path, arguments: arguments, environment: environment)
        let status = try child.waitForExit(timeout: 30)  // exit and end-of-file on both pipes
        return (status, child.standardOutput, child.standardError)
    }

    func testReproducibleTokenMatchesThePythonSignersURL() throws {
        let base = ["--region", "us-east-1", "--access-key-id", "AKIDEXAMPLE",
                    "--secret-access-key", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "--session-token", "tok/en+=x",
                    "--date", "2026-11-21T12:00:00Z"]
        let (status, url, _) = try run(base + ["--url"])
        XCTAssertEqual(status, 0)
        // The signature aws-msk-iam-sasl-signer-python 1.0.2 produces for these inputs (only User-Agent differs).
        XCTAssertTrue(url.contains("&X-Amz-Signature=164f6cf41d5910a75b175c0c1825e91894cbfb8977c295c8c84fd4f6daf3511a&User-Agent=swift-lambda-kafka%2F"), url)
        let (tokenStatus, token, _) = try run(base)
        XCTAssertEqual(tokenStatus, 0)
        let lines = token.split(separator: "\n")
        XCTAssertEqual(lines.count, 1)
        var padded = String(lines[0]).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        padded += String(repeating: "=", count: (4 - padded.count % 4) % 4)
        XCTAssertEqual(Data(base64Encoded: padded).map { String(decoding: $0, as: UTF8.self) + "\n" }, url)
    }

    func testRepeatReportsMedianOnStderr() throws {
        let (status, stdout, stderr) = try run(["--region", "eu-west-1", "--access-key-id", "A", "--secret-access-key", "topsecret",
                                                "--repeat", "50"])
        XCTAssertEqual(status, 0)
        XCTAssertEqual(stdout.split(separator: "\n").count, 1)
        XCTAssertTrue(stderr.contains("µs per token over 50 tokens"), stderr)
    }

    func testMissingCredentialsFailWithoutSecrets() throws {
        let (status, stdout, stderr) = try run(["--region", "us-east-1"],
                                               environment: ["HOME": "/nonexistent", "AWS_SESSION_TOKEN": "leaky-token"])
        XCTAssertNotEqual(status, 0)
        XCTAssertEqual(stdout, "")
        XCTAssertTrue(stderr.contains("no AWS credentials found"), stderr)
        XCTAssertFalse(stderr.contains("leaky-token"), stderr)
    }
}
