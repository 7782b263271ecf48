#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// How a bootstrap process ended, from its `waitpid` status.
struct ExitStatus: CustomStringConvertible, Sendable {
    let rawValue: Int32

    var description: String {
        let signal = rawValue & 0x7f
        if signal == 0 {
            return "exit status \((rawValue >> 8) & 0xff)"
        }
        return "signal: \(signalName(signal))"
    }

    private func signalName(_ signal: Int32) -> String {
        switch signal {
        case SIGKILL: return "killed"
        case SIGTERM: return "terminated"
        case SIGSEGV: return "segmentation fault"
        case SIGABRT: return "aborted"
        case SIGILL: return "illegal instruction"
        case SIGBUS: return "bus error"
        case SIGINT: return "interrupt"
        default: return "signal \(signal)"
        }
    }
}

struct SpawnError: Error, CustomStringConvertible {
    let errno: Int32
    var description: String { String(cString: strerror(errno)) }
}

/// A running bootstrap, started directly with `posix_spawn` (never through a shell) in its own process
/// group, with stdin on /dev/null and stdout/stderr inherited.
final class BootstrapProcess: Sendable {
    let pid: pid_t

    /// Starts `arguments[0]`; `onExit` runs once, on a background thread, after the process was reaped.
    init(arguments: [String], environment: [String: String], onExit: @escaping @Sendable (pid_t, ExitStatus) -> Void) throws {
        let cArguments = arguments.map { strdup($0) }
        let cEnvironment = environment.map { strdup("\($0.key)=\($0.value)") }
        defer {
            cArguments.forEach { free($0) }
            cEnvironment.forEach { free($0) }
        }
        var fileActions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fileActions)
        defer { posix_spawn_file_actions_destroy(&fileActions) }
        posix_spawn_file_actions_addopen(&fileActions, STDIN_FILENO, "/dev/null", O_RDONLY, 0)
        markDescriptorsCloseOnExec()

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The emulator ignores SIGTERM/SIGINT/SIGPIPE itself; the child must start with default handlers.
        var defaultSignals = sigset_t()
        sigemptyset(&defaultSignals)
        for signal in [SIGTERM, SIGINT, SIGPIPE, SIGHUP, SIGQUIT] {
            sigaddset(&defaultSignals, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP))

        var pid: pid_t = 0
        let result = posix_spawn(
            &pid, arguments[0], &fileActions, &attributes, cArguments + [nil], cEnvironment + [nil])
        guard result == 0 else { throw SpawnError(errno: result) }
        let spawned = pid
        self.pid = spawned
        Thread.detachNewThread {
            var status: Int32 = 0
            while waitpid(spawned, &status, 0) == -1 && errno == EINTR {}
            onExit(spawned, ExitStatus(rawValue: status))
        }
    }

    /// Sends `signal` to the bootstrap's whole process group (it may have children of its own).
    func send(_ signal: Int32) {
        if kill(-pid, signal) != 0 {
            kill(pid, signal)
        }
    }
}

/// The emulator's own descriptors (its listening socket above all) must not leak into the
/// bootstrap: a leaked listener would accept the bootstrap's `next` after the emulator died.
/// (glibc's `posix_spawn_file_actions_addclosefrom_np` is not visible to Swift.)
private func markDescriptorsCloseOnExec() {
    for descriptor in (STDERR_FILENO + 1)..<1024 {
        let flags = fcntl(descriptor, F_GETFD)
        if flags >= 0 && flags & FD_CLOEXEC == 0 {
            _ = fcntl(descriptor, F_SETFD, flags | FD_CLOEXEC)
        }
    }
}
