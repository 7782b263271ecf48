import Dispatch
import Testing

/// Runs a suite's tests on threads outside Swift's cooperative pool, a few at a time.
///
/// Swift Testing starts every test as a task on the cooperative pool, which has one thread per
/// core. End-to-end tests are synchronous and spend most of their time blocked on a child
/// process, a socket or a semaphore, so on a 2-core machine two of them held both threads and
/// the machine sat idle. A suite with this trait runs each test case on `BlockingTestExecutor`
/// (a thread per blocked test) and at most `BlockingTestSlots.width` such test cases run at once
/// across all suites, so brokers, emulators and databases do not all start together.
public struct OffCooperativePoolTrait: SuiteTrait, TestTrait, TestScoping {
    public var isRecursive: Bool { true }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        await BlockingTestSlots.shared.acquire()
        do {
            try await withTaskExecutorPreference(BlockingTestExecutor.shared) { try await function() }
        } catch {
            await BlockingTestSlots.shared.release()
            throw error
        }
        await BlockingTestSlots.shared.release()
    }
}

extension Trait where Self == OffCooperativePoolTrait {
    /// For suites whose tests block their thread on processes, sockets or semaphores.
    public static var offCooperativePool: Self { OffCooperativePoolTrait() }
}

/// A task executor whose jobs run on a concurrent dispatch queue of its own. Such a queue targets
/// libdispatch's overcommitting root queue, which starts another thread when every one it has
/// is blocked, so a blocked test never holds up another test's job.
public final class BlockingTestExecutor: TaskExecutor {
    public static let shared = BlockingTestExecutor()
    private let queue = DispatchQueue(label: "lambda-kafka.blocking-tests", attributes: .concurrent)

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}

/// How many test cases of `.offCooperativePool` suites run at once.
public actor BlockingTestSlots {
    /// Measured on the 2-core development machine (docs/testing.md): beyond this the suites'
    /// brokers and emulators compete for the cores and the run gets no shorter. The slow step
    /// holds the suites that time a window (a fault during a produce, overlapping round trips):
    /// they run two at a time, as they did on the cooperative pool.
    public static let width = SlowSuites.requested ? 2 : 6
    public static let shared = BlockingTestSlots(width: width)

    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(width: Int) {
        free = width
    }

    func acquire() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty {
            free += 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
