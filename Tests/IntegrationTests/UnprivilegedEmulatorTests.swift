import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The container image runs the emulator and the bootstrap as an unprivileged user (`USER lambda`).
/// Socket options that need privileges (SO_DEBUG at the socket level, which a TCP option number
/// put at the wrong level turns into) make every accepted connection fail for such a user.
@Suite(.offCooperativePool) struct UnprivilegedEmulatorTests {
    /// `nobody` on Debian; any user without capabilities would do.
    static let unprivilegedID = "65534"

    @Test func emulatorAndBootstrapServeAsAnUnprivilegedUser() throws {
        let binaries = try UnprivilegedCopies(of: ["lambda-emulator", "bootstrap"])
        defer { binaries.remove() }
        // As root, drop to the unprivileged user; as any other user the test already is one.
        let launcher = getuid() == 0
            ? ["/usr/bin/setpriv", "--reuid=\(Self.unprivilegedID)", "--regid=\(Self.unprivilegedID)", "--clear-groups"]
            : []
        let emulator = try EmulatorHarness(
            bootstrap: binaries.path("bootstrap"),
            environment: ["KAFKA_ENDPOINT": "127.0.0.1:9"],
            emulator: binaries.path("lambda-emulator"),
            launcher: launcher)
        defer { emulator.stop() }

        for index in 0..<3 {
            let result = try emulator.invoke(#"{"action":"no-such-action-\#(index)"}"#)
            #expect(result.status == 200, "\(result.status) \(result.text) \(emulator.standardError)")
            #expect(result.functionError != nil)
            #expect(result.text.contains("Function.UnknownAction"), "\(result.text)")
        }
    }
}

/// Copies of built products in a folder every user may read, since the build folder may not be.
private struct UnprivilegedCopies {
    let directory: URL

    init(of products: [String]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("unprivileged-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o755])
        for product in products {
            let target = directory.appendingPathComponent(product)
            try FileManager.default.copyItem(atPath: BuiltProducts.path(of: product), toPath: target.path)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: target.path)
        }
    }

    func path(_ product: String) -> String { directory.appendingPathComponent(product).path }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}
