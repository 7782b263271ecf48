import Foundation

/// A throwaway PostgreSQL server from the system's packages (Debian's `postgresql`): `initdb` into a
/// temporary folder, `postgres` on a free loopback port with its Unix socket in that folder, trust
/// authentication, stopped and deleted by `stop()` or `deinit`. As root, both run as the `postgres` user.
public final class LocalPostgres: @unchecked Sendable {
    public let port: Int
    public let directory: URL
    private let server: ChildProcess
    private let binDirectory: String

    /// Where `initdb` and `postgres` are: `$PG_BIN`, else the newest `/usr/lib/postgresql/*/bin`.
    public static var binDirectory: String? {
        if let explicit = ProcessInfo.processInfo.environment["PG_BIN"] { return explicit }
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        guard let newest = versions.compactMap({ Int($0) }).max() else { return nil }
        let directory = "\(root)/\(newest)/bin"
        return FileManager.default.isExecutableFile(atPath: "\(directory)/initdb") ? directory : nil
    }

    /// Tests that need PostgreSQL run when it is installed, and always under CI (where missing is a failure).
    public static var shouldRun: Bool {
        binDirectory != nil || ProcessInfo.processInfo.environment["CI"] == "true"
    }

    public init() throws {
        guard let binDirectory = Self.binDirectory else {
            throw LocalPostgresError("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); run scripts/install-deps")
        }
        self.binDirectory = binDirectory
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pg-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false)
        self.directory = directory
        let asPostgres = getuid() == 0
        if asPostgres {
            guard let account = getpwnam("postgres") else {
                throw LocalPostgresError("running as root, and there is no postgres user to run the server as")
            }
            guard chown(directory.path, account.pointee.pw_uid, account.pointee.pw_gid) == 0 else {
                throw LocalPostgresError("cannot hand \(directory.path) to the postgres user (errno \(errno))")
            }
        }
        let data = directory.appendingPathComponent("data").path
        let initdb = try Self.run(
            "\(binDirectory)/initdb", ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"],
            asPostgres: asPostgres)
        guard try initdb.waitForExit(timeout: 120) == 0 else {
            throw LocalPostgresError("initdb failed: \(initdb.standardError)")
        }
        port = try Self.freePort()
        server = try Self.run(
            "\(binDirectory)/postgres",
            ["-D", data, "-p", String(port), "-k", directory.path, "-c", "listen_addresses=127.0.0.1",
             "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"],
            asPostgres: asPostgres)
        let deadline = Date().addingTimeInterval(60)
        while !server.standardError.contains("ready to accept connections") {
            guard server.process.isRunning, Date() < deadline else {
                throw LocalPostgresError("postgres did not start: \(server.standardError)")
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    deinit {
        stop()
    }

    /// `postgresql://postgres@127.0.0.1:PORT/postgres`.
    public var url: String { "postgresql://postgres@127.0.0.1:\(port)/postgres" }

    /// Runs SQL with `psql` and returns its unaligned, tuples-only output (`|` between columns).
    /// Reads stdout to its end before looking at the exit status, so no output arrives late.
    public func query(_ sql: String) throws -> String {
        let psql = Process()
        psql.executableURL = URL(fileURLWithPath: "\(binDirectory)/psql")
        psql.arguments = ["-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql]
        let output = Pipe()
        let errors = Pipe()
        psql.standardOutput = output
        psql.standardError = errors
        psql.standardInput = FileHandle.nullDevice
        try psql.run()
        let stdout = output.fileHandleForReading.readDataToEndOfFile()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        psql.waitUntilExit()
        guard psql.terminationStatus == 0 else {
            throw LocalPostgresError("psql failed (\(psql.terminationStatus)): \(String(decoding: stderr, as: UTF8.self))")
        }
        return String(decoding: stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Fast shutdown (SIGINT: clients are disconnected), then the folder is removed.
    public func stop() {
        if server.process.isRunning {
            kill(server.process.processIdentifier, SIGINT)
            _ = try? server.waitForExit(timeout: 30)
            server.stop()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    private static func run(_ executable: String, _ arguments: [String], asPostgres: Bool) throws -> ChildProcess {
        var environment = ProcessInfo.processInfo.environment
        environment["LC_ALL"] = "C"
        guard asPostgres else { return try ChildProcess(executable: executable, arguments: arguments, environment: environment) }
        // setpriv execs the program itself, so signals reach postgres directly.
        return try ChildProcess(
            executable: "/usr/bin/setpriv",
            arguments: ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", executable] + arguments,
            environment: environment)
    }

    /// A loopback port nothing listens on right now.
    public static func freePort() throws -> Int {
        try freeLoopbackPort()
    }
}

public struct LocalPostgresError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
