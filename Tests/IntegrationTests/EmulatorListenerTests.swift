import Foundation
import TestSupport
import Testing

/// The emulator serves invocations on `--host` (0.0.0.0 in the image) and everything else only on
/// 127.0.0.1: whoever reaches the Runtime API can read pending events and forge their answers.
@Suite(.offCooperativePool, .serialized) struct EmulatorListenerTests {
    static let runtimeRoutes: [(method: String, path: String)] = [
        ("GET", "/2018-06-01/runtime/invocation/next"),
        ("POST", "/2018-06-01/runtime/invocation/00000000-0000-0000-0000-000000000000/response"),
        ("POST", "/2018-06-01/runtime/invocation/00000000-0000-0000-0000-000000000000/error"),
        ("POST", "/2018-06-01/runtime/init/error"),
        ("GET", "/_emulator/status"),
        ("GET", "/_emulator/faults"),
        ("POST", "/_emulator/faults"),
        ("DELETE", "/_emulator/faults"),
    ]

    @Test(arguments: ["127.0.0.2", "0.0.0.0"])
    func theRuntimeAPIIsOnlyOnLoopback(invokeHost: String) throws {
        let emulator = try EmulatorHarness(
            bootstrap: BuiltProducts.path(of: "diagnostic-bootstrap"), environment: ["KAFKA_ENDPOINT": "127.0.0.1:9"],
            emulatorOptions: ["--host", invokeHost])
        defer { emulator.stop() }
        #expect(emulator.process.standardOutput.contains("runtime API and admin routes on 127.0.0.1:\(emulator.runtimeAPIPort)\n"))

        // The bootstrap was told the loopback listener: an invocation goes through.
        let invokeBase = "http://\(invokeHost == "0.0.0.0" ? "127.0.0.1" : invokeHost):\(emulator.port)"
        let answer = try emulator.request(
            "POST", path: "/2015-03-31/functions/function/invocations", body: Data(#"{"action":"diagnostic.context"}"#.utf8),
            timeout: 60, base: invokeBase)
        #expect(answer.status == 200 && answer.functionError == nil, "\(answer.text)")

        // Nothing but invocations on the invoke listener, and no invocations on the loopback one.
        for route in Self.runtimeRoutes {
            let body = route.method == "POST" ? Data("{}".utf8) : nil  // URLSession sends no body with GET
            let result = try emulator.request(route.method, path: route.path, body: body, timeout: 10, base: invokeBase)
            #expect(result.status == 404, "\(route.method) \(route.path) on the invoke listener: \(result.status)")
        }
        let misplaced = try emulator.request(
            "POST", path: "/2015-03-31/functions/function/invocations", body: Data("{}".utf8), timeout: 10,
            base: emulator.runtimeAPIURL)
        #expect(misplaced.status == 404)
        #expect(try emulator.status()["invocations_served"] as? Int == 1)

        // What the kernel says: the Runtime API socket is bound to 127.0.0.1, the invoke socket to --host.
        let listeners = try Self.listeningIPv4Sockets()
        #expect(listeners[emulator.runtimeAPIPort] == "127.0.0.1")
        #expect(listeners[emulator.port] == invokeHost)
    }

    /// A streamed answer (`Lambda-Runtime-Function-Response-Mode: streaming`) is a Runtime API
    /// request too: on the invoke listener it is refused like any other, and the real answer wins.
    @Test func aStreamedAnswerIsRefusedOnTheInvokeListener() throws {
        let emulator = try EmulatorHarness(
            bootstrap: BuiltProducts.path(of: "diagnostic-bootstrap"), environment: ["KAFKA_ENDPOINT": "127.0.0.1:9"])
        defer { emulator.stop() }
        let caller = DispatchQueue(label: "caller")
        let answered = DispatchSemaphore(value: 0)
        let outcome = LockedBox<InvokeResult?>(nil)
        caller.async {
            outcome.set(try? emulator.invoke(#"{"action":"diagnostic.sleep","ms":1500}"#, timeout: 60))
            answered.signal()
        }
        var requestID: String?
        for _ in 0..<2000 where requestID == nil {
            requestID = try emulator.status()["in_flight_request_id"] as? String
        }
        let inFlight = try #require(requestID, "the sleeping invocation never reached the runtime")
        let forged = try emulator.request(
            "POST", path: "/2018-06-01/runtime/invocation/\(inFlight)/response", body: Data(#"{"forged":true}"#.utf8),
            headers: ["Lambda-Runtime-Function-Response-Mode": "streaming", "Content-Type": "application/json"],
            timeout: 30)
        #expect(forged.status == 404, "a streamed answer on the invoke listener: \(forged.status) \(forged.text)")
        #expect(answered.wait(timeout: .now() + 60) == .success)
        let answer = try #require(outcome.get())
        #expect(answer.text == #"{"slept":1500}"#, "the caller got \(answer.text)")
    }

    @Test func aFixedRuntimeAPIPortIsHonoured() throws {
        let port = try freeLoopbackPort()
        let emulator = try EmulatorHarness(
            bootstrap: BuiltProducts.path(of: "diagnostic-bootstrap"), environment: ["KAFKA_ENDPOINT": "127.0.0.1:9"],
            emulatorOptions: ["--runtime-api-port", String(port)])
        defer { emulator.stop() }
        #expect(emulator.runtimeAPIPort == port)
        #expect(try emulator.invocationContext().result.status == 200)
    }

    /// Local address of every listening TCP/IPv4 socket, by port, from /proc/net/tcp.
    static func listeningIPv4Sockets() throws -> [Int: String] {
        let table = try readWholeFile("/proc/net/tcp")
        var result: [Int: String] = [:]
        for line in table.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ")
            guard fields.count > 3, fields[3] == "0A" else { continue }  // TCP_LISTEN
            let address = fields[1].split(separator: ":")
            guard address.count == 2, let port = Int(address[1], radix: 16),
                  let raw = UInt32(address[0], radix: 16) else { continue }
            // The kernel prints the address as a host-order number of network-order bytes.
            let bytes = withUnsafeBytes(of: raw.littleEndian) { Array($0) }
            result[port] = bytes.map(String.init).joined(separator: ".")
        }
        return result
    }
}

/// A value handed from a worker thread to the test.
private final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func set(_ newValue: Value) { lock.withLock { value = newValue } }
    func get() -> Value { lock.withLock { value } }
}

/// procfs files report size 0 and are produced page by page: read until end of file.
private func readWholeFile(_ path: String) throws -> String {
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else { throw EmulatorHarnessError("cannot open \(path)") }
    defer { close(descriptor) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count < 0 && errno == EINTR { continue }
        guard count > 0 else { break }
        bytes.append(contentsOf: chunk[0..<count])
    }
    return String(decoding: bytes, as: UTF8.self)
}
