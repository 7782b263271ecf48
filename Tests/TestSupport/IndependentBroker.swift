import Foundation

/// noida-db (PyPI `noida-db==0.2.3`, installed by `scripts/install-deps --test` into
/// `.venv-broker`) serving only Kafka on a port the system picks, with its data in a temporary
/// directory. Ready once its Kafka port accepts a connection; stopped with SIGTERM.
public final class IndependentBroker: RunningBroker, @unchecked Sendable {
    public let process: ChildProcess
    public let bootstrapServers: String
    public let dataDirectory: URL
    public var engine: BrokerEngine { .independent }

    /// `NOIDA_DB` if set, else the broker binary inside `.venv-broker`. Not the `bin/noida-db`
    /// entry point: that Python wrapper runs the binary as a child and does not pass SIGTERM on,
    /// so stopping it would leave the broker running.
    public static func executablePath() -> String {
        if let explicit = ProcessInfo.processInfo.environment["NOIDA_DB"], !explicit.isEmpty {
            return explicit
        }
        let lib = packageRoot.appendingPathComponent(".venv-broker/lib")
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: lib.path))?.filter { $0.hasPrefix("python") }.sorted() ?? []
        for version in versions.reversed() {
            let candidate = lib.appendingPathComponent("\(version)/site-packages/noida_db/noida-db").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return lib.appendingPathComponent("python3/site-packages/noida_db/noida-db").path
    }

    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public init(readinessTimeout: TimeInterval = 30) throws {
        let executable = Self.executablePath()
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw MissingToolError("noida-db not found at \(executable): run scripts/install-deps --test (or set NOIDA_DB)")
        }
        dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("noida-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        // Port 0: the system picks a free port and the broker prints it ("  kafka  127.0.0.1:PORT").
        let child: ChildProcess
        do {
            child = try ChildProcess(
                executable: executable,
                arguments: ["start", "--data-dir", dataDirectory.path, "--host", "127.0.0.1", "--only", "kafka", "--kafka-port", "0"])
        } catch {
            try? FileManager.default.removeItem(at: dataDirectory)
            throw error
        }
        process = child
        do {
            let line = try child.waitForLine(timeout: readinessTimeout) { line in
                line.split(separator: " ", omittingEmptySubsequences: true).first == "kafka"
            }
            guard let address = line.split(separator: " ", omittingEmptySubsequences: true).last,
                  let portText = address.split(separator: ":").last, let port = UInt16(portText)
            else {
                throw ChildProcessError(description: "noida-db printed no Kafka address: \(line)")
            }
            bootstrapServers = "127.0.0.1:\(port)"
            try LoopbackPort.waitUntilAccepting(port, timeout: readinessTimeout, while: { child.process.isRunning }) {
                "noida-db: \(child.standardError)"
            }
        } catch {
            child.stop()
            try? FileManager.default.removeItem(at: dataDirectory)
            throw error
        }
    }

    deinit {
        stop()
    }

    public func stop() {
        process.stop()
        try? FileManager.default.removeItem(at: dataDirectory)
    }
}
