import Foundation
import TestSupport

/// A local Kafka cluster and the real bootstrap under the real emulator, pointed at it.
final class ReliabilityRig: @unchecked Sendable {
    let cluster: LocalKafkaCluster
    let emulator: EmulatorHarness
    let timeoutSeconds: Double

    init(
        brokers: Int = 3, timeoutSeconds: Double, environment: [String: String] = [:],
        bootstrap: String = BuiltProducts.path(of: "bootstrap")
    ) throws {
        cluster = try LocalKafkaCluster(brokers: brokers)
        self.timeoutSeconds = timeoutSeconds
        emulator = try EmulatorHarness(
            bootstrap: bootstrap,
            environment: environment.merging(["KAFKA_ENDPOINT": cluster.bootstrapServers]) { current, _ in current },
            timeoutSeconds: timeoutSeconds)
    }

    func stop() {
        emulator.stop()
        cluster.process.closeStandardInput()
        cluster.process.stop()
    }

    func setEveryBroker(up: Bool, count: Int = 3) throws {
        for broker in 1...count {
            try cluster.command("\(up ? "broker-up" : "broker-down") \(broker)")
        }
    }

    /// How long the emulator says the invocation ran, from handing it to the bootstrap to its
    /// answer (its `END RequestId: ... Duration: N ms` line).
    func reportedDuration(of result: InvokeResult) throws -> Double {
        let requestID = try requireValue(result.requestID, "the answer has no request id")
        let marker = "END RequestId: \(requestID) Duration: "
        emulator.waitForStandardError(timeout: 10) { $0.contains(marker) }
        guard let line = emulator.standardError.split(separator: "\n").first(where: { $0.contains(marker) }),
            let range = line.range(of: marker),
            let milliseconds = Double(line[range.upperBound...].prefix { $0.isNumber || $0 == "." })
        else {
            throw EmulatorHarnessError("no END line for \(requestID) in the emulator's log")
        }
        return milliseconds
    }

    /// Runs `body` on another thread after `delay`, while the caller goes on (for faults mid-invocation).
    func afterDelay(_ delay: TimeInterval, _ body: @escaping @Sendable () throws -> Void) -> BackgroundAction {
        let action = BackgroundAction()
        Thread.detachNewThread {
            Thread.sleep(forTimeInterval: delay)
            action.finish(Result { try body() })
        }
        return action
    }
}

/// The outcome of a `ReliabilityRig.afterDelay` body, with when it finished.
final class BackgroundAction: @unchecked Sendable {
    private let lock = NSLock()
    private let done = DispatchSemaphore(value: 0)
    private var outcome: Result<Void, any Error>?
    private(set) var finishedAt: Date?

    fileprivate func finish(_ result: Result<Void, any Error>) {
        lock.withLock {
            outcome = result
            finishedAt = Date()
        }
        done.signal()
    }

    /// Waits for the body and rethrows its error.
    func wait(timeout: TimeInterval = 60) throws {
        guard done.wait(timeout: .now() + timeout) == .success else {
            throw EmulatorHarnessError("the background action did not finish in \(timeout) s")
        }
        done.signal()
        try lock.withLock { outcome }?.get()
    }

    var finishTime: Date? { lock.withLock { finishedAt } }
}

func requireValue<T>(_ value: T?, _ message: @autoclosure () -> String) throws -> T {
    guard let value else { throw EmulatorHarnessError(message()) }
    return value
}
