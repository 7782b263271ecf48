import Foundation

/// A running `kafka-local-cluster` (librdkafka's mock cluster) and its stdin control channel.
public final class LocalKafkaCluster: @unchecked Sendable {
    public let process: ChildProcess
    public let bootstrapServers: String
    private let lock = NSLock()
    /// stdout lines consumed so far (the bootstrap line and earlier command answers).
    private var answeredLines = 1

    public init(brokers: Int = 3, arguments: [String] = []) throws {
        process = try ChildProcess(
            executable: BuiltProducts.path(of: "kafka-local-cluster"),
            arguments: ["--brokers", String(brokers)] + arguments)
        bootstrapServers = try process.waitForLine { _ in true }
    }

    deinit {
        process.closeStandardInput()
        process.stop()
    }

    /// Sends one control command and waits for its answer: returns on `ok`, throws on `error: ...`.
    public func command(_ line: String, timeout: TimeInterval = 20) throws {
        try lock.withLock {
            try process.writeLine(line)
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                let lines = process.standardOutput.split(separator: "\n", omittingEmptySubsequences: true)
                if lines.count > answeredLines {
                    let answer = String(lines[answeredLines])
                    answeredLines += 1
                    guard answer == "ok" else { throw ChildProcessError(description: "'\(line)' answered: \(answer)") }
                    return
                }
                Thread.sleep(forTimeInterval: 0.005)
            }
            throw ChildProcessError(description: "no answer to '\(line)'; stderr: \(process.standardError)")
        }
    }
}
