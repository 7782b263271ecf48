#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CurlHTTP
import Logging
import Synchronization

/// SIGTERM: let the invocations in flight finish (up to `grace`), let the handler settle its
/// clients by the deadline, then exit 0.
///
/// Lambda sends SIGTERM before ending an execution environment only when an extension is
/// registered (see `ShutdownExtension`); otherwise it sends SIGKILL and nothing here runs.
final class GracefulShutdown: Sendable {
    private struct State {
        /// Invocations being handled.
        var busy = 0
        /// Loops inside `next`: idle, or receiving an event that is already on its way.
        var waitingForNext = 0
        var stopping = false
    }

    /// How long after SIGTERM a loop inside `next` may still turn out to be receiving an event;
    /// an idle loop never returns, so the wait for them is this short.
    static let eventInTransit: Duration = .milliseconds(100)

    let grace: Duration
    private let state = Mutex(State())

    init(grace: Duration) {
        self.grace = grace
    }

    /// Blocks SIGTERM in the calling thread and every thread started after (librdkafka's and the
    /// loops'), so only the watcher's `sigwait` receives it. Call before any other thread starts.
    static func blockTerminationSignal() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Starts the thread that waits for SIGTERM and then runs `settle(deadline)` and exits 0.
    func watch(logger: Logger, settle: @escaping @Sendable (ContinuousClock.Instant) -> Void) -> Bool {
        LoopThread.start { [self] in
            var set = sigset_t()
            sigemptyset(&set)
            sigaddset(&set, SIGTERM)
            var received: Int32 = 0
            while sigwait(&set, &received) != 0 {}
            let deadline = ContinuousClock.now + grace
            let busy = state.withLock { state in
                state.stopping = true
                return state.busy
            }
            logger.info("SIGTERM: stopping; \(busy) invocation(s) in flight, \(grace.milliseconds) ms to finish")
            let transitDeadline = min(deadline, ContinuousClock.now + Self.eventInTransit)
            while true {
                let (busy, waiting) = state.withLock { ($0.busy, $0.waitingForNext) }
                let now = ContinuousClock.now
                if now >= deadline || (busy == 0 && (waiting == 0 || now >= transitDeadline)) { break }
                Pause.sleep(.milliseconds(1))
            }
            let unfinished = state.withLock { $0.busy }
            if unfinished > 0 {
                logger.warning("SIGTERM: \(unfinished) invocation(s) did not finish in time")
            }
            settle(deadline)
            logger.info("SIGTERM: clients closed; exiting")
            _exit(0)
        }
    }

    /// Before `next`: false once stopping (the loop then waits for the exit instead).
    var acceptsInvocations: Bool {
        state.withLock { !$0.stopping }
    }

    func nextStarted() {
        state.withLock { $0.waitingForNext += 1 }
    }

    /// After `next`: an event received is in flight from this moment, with no gap the watcher could see.
    func nextEnded(received: Bool) {
        state.withLock { state in
            state.waitingForNext -= 1
            if received { state.busy += 1 }
        }
    }

    func invocationEnded() {
        state.withLock { $0.busy -= 1 }
    }

    /// Invocations being handled and loops inside `next`, as the watcher counts them.
    var inFlight: (busy: Int, waitingForNext: Int) {
        state.withLock { ($0.busy, $0.waitingForNext) }
    }
}

/// A no-op internal extension, registered when `LAMBDA_RUNTIME_SHUTDOWN_EXTENSION=1` so that
/// Lambda sends SIGTERM (and waits a little) before ending the environment.
///
/// It registers for no events through the Extensions API and keeps one `event/next` waiting on
/// its own thread, as an extension must to let initialisation complete.
enum ShutdownExtension {
    static let variable = "LAMBDA_RUNTIME_SHUTDOWN_EXTENSION"
    static let name = "swift-lambda-kafka-shutdown"

    static func isRequested(in environment: [String: String]) -> Bool {
        ["1", "true"].contains(environment[variable]?.lowercased() ?? "")
    }

    /// Registers and starts the waiting thread; logs and returns false when the API refuses.
    static func register(endpoint: String, logger: Logger) -> Bool {
        let base = "http://\(endpoint)/2020-01-01/extension"
        let identifier: String
        do {
            let http = try CurlHTTPClient(options: .init(bypassProxy: true))
            let response = try http.perform(HTTPRequest(
                method: "POST", url: base + "/register",
                headers: [("Lambda-Extension-Name", name), ("Content-Type", "application/json")],
                body: Array(#"{"events":[]}"#.utf8)), timeout: .seconds(5))
            guard response.status == 200,
                  let id = response.headers.first(where: { $0.name == "lambda-extension-identifier" })?.value, !id.isEmpty
            else {
                logger.warning("\(variable): the Extensions API refused the registration (HTTP \(response.status)); Lambda will not send SIGTERM")
                return false
            }
            identifier = id
        } catch {
            logger.warning("\(variable): cannot register with the Extensions API (\(error.message)); Lambda will not send SIGTERM")
            return false
        }
        return LoopThread.start {
            guard let http = try? CurlHTTPClient(options: .init(bypassProxy: true)) else { return }
            while true {
                let request = HTTPRequest(
                    method: "GET", url: base + "/event/next", headers: [("Lambda-Extension-Identifier", identifier)])
                if (try? http.perform(request, timeout: nil)) == nil {
                    Pause.sleep(.seconds(1))
                }
            }
        }
    }
}
