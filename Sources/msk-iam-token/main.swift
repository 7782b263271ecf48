import AWSCredentials
import AWSSigV4
import ArgumentParser
import MSKIAMAuth

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Prints an MSK IAM token (the SASL/OAUTHBEARER value) for the current or given credentials.
struct MSKIAMTokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "msk-iam-token",
        abstract: "Print an Amazon MSK IAM authentication token on stdout.",
        discussion: "Credentials come from the AWS default chain unless --access-key-id and --secret-access-key are given.")

    @Option(help: "AWS region (default: AWS_REGION, then AWS_DEFAULT_REGION).")
    var region: String?

    @Option(help: "Access key ID to sign with instead of the default chain.")
    var accessKeyId: String?

    @Option(help: "Secret access key to sign with instead of the default chain.")
    var secretAccessKey: String?

    @Option(help: "Session token of temporary credentials.")
    var sessionToken: String?

    @Option(help: "Signing time, ISO 8601 UTC (e.g. 2026-11-21T12:00:00Z), for reproducible output.")
    var date: String?

    @Flag(help: "Print the decoded presigned URL instead of the token.")
    var url = false

    @Option(help: "Make the token N times and print the median microseconds per token to stderr.")
    var `repeat`: Int?

    mutating func run() throws {
        let environment = ProcessInfo.processInfo.environment
        guard let region = region ?? environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"], !region.isEmpty else {
            throw ValidationError("no region: pass --region or set AWS_REGION")
        }
        let clock: any AWSClock
        if let date {
            guard let instant = AWSTimestamp(iso8601: date) else {
                throw ValidationError("--date must be ISO 8601, e.g. 2026-11-21T12:00:00Z")
            }
            clock = FixedClock(instant)
        } else {
            clock = SystemClock()
        }
        let credentials: any CredentialProvider
        switch (accessKeyId, secretAccessKey) {
        case let (accessKeyID?, secret?):
            credentials = StaticCredentialProvider(
                SigningCredentials(accessKeyID: accessKeyID, secretAccessKey: secret, sessionToken: sessionToken))
        case (nil, nil):
            credentials = DefaultCredentialChain(environment: environment, clock: clock)
        default:
            throw ValidationError("--access-key-id and --secret-access-key go together")
        }
        let provider = try MSKAuthTokenProvider(region: region, credentials: credentials, clock: clock)
        var token = try provider.token()
        if let count = `repeat` {
            guard count > 0 else { throw ValidationError("--repeat must be positive") }
            var samples: [Double] = []
            samples.reserveCapacity(count)
            for _ in 0..<count {
                let start = ContinuousClock.now
                token = try provider.token()
                let elapsed = ContinuousClock.now - start
                samples.append(Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12)
            }
            samples.sort()
            let median = samples[samples.count / 2]
            printToStandardError("median \(String(Int(median.rounded()))) µs per token over \(count) tokens")
        }
        print(url ? token.presignedURL : token.value)
    }
}

func printToStandardError(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

do {
    var command = try MSKIAMTokenCommand.parseAsRoot()
    try command.run()
} catch {
    // ArgumentParser's messages name options, never their values; ours never hold key material.
    MSKIAMTokenCommand.exit(withError: error)
}
