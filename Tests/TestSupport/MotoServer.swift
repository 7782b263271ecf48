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
        let port = try Self.freePort()
        endpoint = "http://127.0.0.1:\(port)"
        child = try ChildProcess(executable: executable, arguments: ["-H", "127.0.0.1", "-p", String(port)])
        // Wait until it accepts connections (bounded: moto starts in a few seconds).
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if Self.canConnect(port: port) { return }
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

    private static func freePort() throws -> UInt16 {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socketFD) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socketFD, $0, length) == 0 && getsockname(socketFD, $0, &length) == 0
            }
        }
        guard ok else { throw ChildProcessError(description: "no free port") }
        return UInt16(bigEndian: address.sin_port)
    }

    private static func canConnect(port: UInt16) -> Bool {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
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
}
