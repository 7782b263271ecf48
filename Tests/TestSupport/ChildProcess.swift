import Foundation

/// The directory holding the built executables (`bootstrap`, `lambda-emulator`, ...).
///
/// `swift test` runs the test bundle from the same build directory as the executables;
/// `LAMBDA_KAFKA_BIN_DIR` overrides that (for example to test a release or sanitizer build).
public enum BuiltProducts {
    public static var directory: URL {
        if let override = ProcessInfo.processInfo.environment["LAMBDA_KAFKA_BIN_DIR"], !override.isEmpty {
            return URL(fileURLWithPath: override)
        }
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return executable.deletingLastPathComponent()
    }

    public static func path(of name: String) -> String {
        directory.appendingPathComponent(name).path
    }
}

public struct ChildProcessError: Error, CustomStringConvertible {
    public var description: String
}

/// A child process with its stdout readable line by line and its stderr collected.
public final class ChildProcess: @unchecked Sendable {
    public let process = Process()
    private let stdoutPipe: Pipe
    private let stderrPipe: Pipe
    private let lock = NSLock()
    private var stdoutBuffer = Data()
    private var stderrBuffer = Data()
    /// Set when the pipe reached end-of-file: the child (and any process sharing it) closed it.
    private var stdoutClosed = false
    private var stderrClosed = false
    private let stdinPipe: Pipe

    /// Serialises pipe creation and spawning: a child spawned by another test at the same moment
    /// must not inherit this child's pipe ends, or the end-of-file this child's exit should bring
    /// would wait for that other process.
    private static let spawnLock = NSLock()

    public init(executable: String, arguments: [String] = [], environment: [String: String]? = nil) throws {
        Self.spawnLock.lock()
        defer { Self.spawnLock.unlock() }
        (stdoutPipe, stderrPipe, stdinPipe) = (Pipe(), Pipe(), Pipe())
        for pipe in [stdoutPipe, stderrPipe, stdinPipe] {
            // Close-on-exec: only the dup2'ed copies reach this child; no other child gets them.
            _ = fcntl(pipe.fileHandleForReading.fileDescriptor, F_SETFD, FD_CLOEXEC)
            _ = fcntl(pipe.fileHandleForWriting.fileDescriptor, F_SETFD, FD_CLOEXEC)
        }
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment {
            process.environment = environment
        }
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        process.standardInput = stdinPipe
        Self.collect(stdoutPipe, into: self, isStandardOutput: true)
        Self.collect(stderrPipe, into: self, isStandardOutput: false)
        try Self.withSignalsUnblocked { try process.run() }
    }

    /// Reads `pipe` on a thread of its own with blocking reads until end-of-file (Foundation's
    /// readability handler sometimes never reports it). The thread keeps the pipe, so its
    /// descriptor stays open and cannot be reused under it, and holds the process weakly.
    private static func collect(_ pipe: Pipe, into owner: ChildProcess, isStandardOutput: Bool) {
        weak let weakOwner = owner
        Thread.detachNewThread {
            let fd = pipe.fileHandleForReading.fileDescriptor
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                guard let owner = weakOwner else { break }
                owner.lock.lock()
                if count > 0 {
                    if isStandardOutput { owner.stdoutBuffer.append(contentsOf: chunk[..<count]) } else { owner.stderrBuffer.append(contentsOf: chunk[..<count]) }
                } else if isStandardOutput {
                    owner.stdoutClosed = true
                } else {
                    owner.stderrClosed = true
                }
                owner.lock.unlock()
                if count <= 0 { break }
            }
            withExtendedLifetime(pipe) {}
        }
    }

    /// Processes holding this child's stdout or stderr pipe (for the error when end-of-file never comes).
    private func pipeHolders() -> String {
        let pipes = [stdoutPipe, stderrPipe].compactMap {
            try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\($0.fileHandleForReading.fileDescriptor)")
        }
        var holders: [String] = []
        for pid in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] where Int(pid) != nil {
            let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
            let held = fds.contains { fd in
                (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)")).map(pipes.contains) ?? false
            }
            if held {
                let command = (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8))?.replacingOccurrences(of: "\0", with: " ") ?? "?"
                holders.append("\(pid) \(command.prefix(120))")
            }
        }
        return "\(pipes) " + holders.joined(separator: "; ")
    }

    /// Runs `body` with no signal blocked on this thread, so a child spawned in it starts with an
    /// empty signal mask, as from a shell. Test code runs on dispatch worker threads, which block
    /// most signals; a child inherits that mask, and one that never unblocks SIGTERM (noida-db)
    /// would not stop when asked.
    static func withSignalsUnblocked<T>(_ body: () throws -> T) rethrows -> T {
        var none = sigset_t()
        var previous = sigset_t()
        sigemptyset(&none)
        pthread_sigmask(SIG_SETMASK, &none, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        return try body()
    }

    deinit {
        stop()
    }

    /// Everything the process wrote to stdout so far.
    public var standardOutput: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: stdoutBuffer, as: UTF8.self)
    }

    /// Everything the process wrote to stderr so far.
    public var standardError: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: stderrBuffer, as: UTF8.self)
    }

    /// Waits until stdout holds a line matching `predicate`, and returns it.
    public func waitForLine(timeout: TimeInterval = 20, where predicate: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let lines = standardOutput.split(separator: "\n", omittingEmptySubsequences: true)
            if let line = lines.first(where: { predicate(String($0)) }) {
                return String(line)
            }
            if !process.isRunning {
                throw ChildProcessError(description: "\(process.executableURL?.lastPathComponent ?? "process") exited (\(process.terminationStatus)) before printing the expected line; stderr: \(standardError)")
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
        throw ChildProcessError(description: "timed out waiting for a line; stdout: \(standardOutput) stderr: \(standardError)")
    }

    /// Waits (bounded) until stderr satisfies `predicate`; returns whether it did. Output reaches
    /// the buffers through a pipe, some time after the child wrote it.
    public func waitForStandardError(timeout: TimeInterval = 10, until predicate: (String) -> Bool) -> Bool {
        poll(timeout: timeout, every: 0.01) { predicate(standardError) }
    }

    /// Writes `line` and a newline to the child's stdin.
    public func writeLine(_ line: String) throws {
        try stdinPipe.fileHandleForWriting.write(contentsOf: Data((line + "\n").utf8))
    }

    /// Closes the child's stdin (the local cluster exits when it sees that).
    public func closeStandardInput() {
        try? stdinPipe.fileHandleForWriting.close()
    }

    /// Sends SIGTERM, then SIGKILL if the process is still alive after `grace` seconds.
    public func stop(grace: TimeInterval = 5) {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(grace)
        while process.isRunning && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.01)
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Whether stdout and stderr both reached end-of-file, so the buffers hold all the output.
    public var outputIsComplete: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stdoutClosed && stderrClosed
    }

    /// Waits for the process to exit by itself and for end-of-file on stdout and stderr (so
    /// `standardOutput` and `standardError` hold everything it wrote), and returns its status.
    public func waitForExit(timeout: TimeInterval = 20) throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while (process.isRunning || !outputIsComplete) && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.01)
        }
        guard !process.isRunning else {
            throw ChildProcessError(description: "process still running after \(timeout) s")
        }
        guard outputIsComplete else {
            throw ChildProcessError(
                description: "the process exited but its output pipes stayed open for \(timeout) s; held by: \(pipeHolders())")
        }
        return process.terminationStatus
    }
}
