#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import LambdaRuntime

/// Makes the container image usable outside Lambda the way AWS base images with the Runtime
/// Interface Emulator are: `docker run -p 9000:8080 IMAGE` serves the invoke endpoint on 8080.
///
/// Inside Lambda `AWS_LAMBDA_RUNTIME_API` is always set, so this never triggers there. Outside,
/// when `LAMBDA_EMULATOR_PATH` names an executable file (the image sets it), the process is
/// replaced (`execv`, no shell) by the emulator, which then starts this same binary with
/// `AWS_LAMBDA_RUNTIME_API` pointing at itself.
enum LocalEmulatorHandoff {
    static let runtimeAPIVariable = "AWS_LAMBDA_RUNTIME_API"
    static let emulatorPathVariable = "LAMBDA_EMULATOR_PATH"
    static let listenPort = "8080"
    static let listenHost = "0.0.0.0"

    /// Returns only when the process stays the function's runtime: inside Lambda, without a
    /// configured emulator, or when the emulator could not be started (reported on stderr).
    static func execIfOutsideLambda() {
        guard getenv(runtimeAPIVariable) == nil,
              let emulator = environmentValue(emulatorPathVariable),
              isExecutableFile(emulator),
              let bootstrap = ownExecutablePath()
        else { return }

        let arguments = [emulator, "--port", listenPort, "--host", listenHost, "--", bootstrap]
        let errorNumber = exec(emulator, arguments: arguments)
        let reason = String(cString: strerror(errorNumber))
        StandardStream.error.writeLine(Array("bootstrap: could not start the local Runtime API emulator at \(emulator): \(reason)".utf8))
    }

    private static func environmentValue(_ name: String) -> String? {
        guard let raw = getenv(name) else { return nil }
        let value = String(cString: raw)
        return value.isEmpty ? nil : value
    }

    private static func isExecutableFile(_ path: String) -> Bool {
        var status = stat()
        guard stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return false }
        return access(path, X_OK) == 0
    }

    /// The absolute path of the running binary, so the emulator starts exactly this file.
    private static func ownExecutablePath() -> String? {
        if let resolved = resolvedPath("/proc/self/exe") {
            return resolved
        }
        return CommandLine.arguments.first.flatMap(resolvedPath)
    }

    private static func resolvedPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Replaces the process image; returns `errno` only if that failed.
    private static func exec(_ path: String, arguments: [String]) -> Int32 {
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        argv.append(nil)
        defer { argv.forEach { free($0) } }
        execv(path, argv)
        return errno
    }
}
