import Foundation

/// moto's standalone AWS mock (`pip install 'moto[server]'`) on a free loopback port, for STS tests.
public final class MotoServer {
    public let endpoint: String
    private let child: ChildProcess

    /// The `moto_server` executable: `MOTO_SERVER` if set, else the first on `PATH`; `nil` if none.
    public static func executablePath() -> String? {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["MOTO_SERVER"], FileManager.default.isExecutableFile(atPath: explicit) {
            return explicit
        }
        for directory in (environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(directory)/moto_server"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    public init(executable: String) throws {
        let port = UInt16(try freeLoopbackPort())
        endpoint = "http://127.0.0.1:\(port)"
        child = try ChildProcess(executable: executable, arguments: ["-H", "127.0.0.1", "-p", String(port)])
        // Wait until it accepts connections (bounded: moto starts in a few seconds).
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if LoopbackPort.accepts(port) { return }
            if !child.process.isRunning {
                throw ChildProcessError(description: "moto_server exited: \(child.standardError)")
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        child.stop()
        throw ChildProcessError(description: "moto_server did not start in 60 s: \(child.standardError)")
    }

    deinit {
        child.stop()
    }
}
