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

/// Connection checks on 127.0.0.1.
public enum LoopbackPort {
    public static func accepts(_ port: UInt16) -> Bool {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { return false }
        defer { close(socketFD) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        return withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// Polls until `port` accepts a connection; throws when `alive` turns false or at the timeout.
    public static func waitUntilAccepting(
        _ port: UInt16, timeout: TimeInterval, while alive: () -> Bool, diagnostics: () -> String
    ) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if accepts(port) { return }
            guard alive() else { throw ChildProcessError(description: "exited before accepting connections on \(port); \(diagnostics())") }
            Thread.sleep(forTimeInterval: 0.01)
        }
        throw ChildProcessError(description: "port \(port) accepted no connection within \(timeout) s; \(diagnostics())")
    }
}
