import Foundation
import LambdaEmulatorCore
import NIOCore
import NIOHTTP1

struct EmulatorConfiguration: Sendable {
    /// The bootstrap's path followed by its arguments.
    var bootstrapArguments: [String]
    /// The bootstrap's complete environment.
    var environment: [String: String]
    var timeoutSeconds: Double
    /// Invocations queued for the bootstrap at most; beyond it the Invoke API answers 429.
    var maxPendingInvocations = 256
}

/// One Lambda execution environment: a queue of invocations served by one bootstrap process, one at a
/// time, or up to `AWS_LAMBDA_MAX_CONCURRENCY` at once (Lambda Managed Instances), each with its own
/// request id and deadline.
///
/// All state is confined to `loop` (the server's only event loop); every entry point runs there,
/// which is why the class can be `@unchecked Sendable`. The members are internal only so that the
/// per-API extensions in the neighbouring files can reach them.
final class Emulator: @unchecked Sendable {
    /// Bodies are kept up to the Runtime API's payload limit; larger ones are read, dropped and answered 413.
    static let bodyLimit = EmulatorErrors.maxResponseBytes
    /// Beyond this the emulator answers 413 at once and closes the connection.
    static let connectionBodyLimit = 16 * 1024 * 1024
    static let stopGrace = TimeAmount.seconds(2)

    struct Incarnation {
        /// An init error was reported: its exit must not fail another invocation.
        var reportedInitError = false
        /// The emulator killed it (timeout): its exit is expected.
        var killedByEmulator = false
        var startedAt = NIODeadline.now()
        /// From the start to its first `next`; reported once, on its first invocation's REPORT line.
        var initDuration: TimeAmount?
        var initDurationReported = false
    }

    /// A runtime loop's pending `next`; `delayed` once an injected delay was applied to it.
    typealias WaitingRuntime = (promise: EventLoopPromise<EmulatorResponse>, channel: Channel, delayed: Bool)

    let loop: EventLoop
    private(set) var configuration: EmulatorConfiguration
    private(set) var functionARN: String

    var pending = CircularBuffer<Invocation>()
    /// Dispatched and not yet answered, by request id.
    var inFlight: [String: Invocation] = [:]
    var recentlyAnswered = RecentRequestIDs(capacity: 1024)
    /// The runtime loops' pending `next` requests, oldest first; at most `maxConcurrency`.
    var waitingRuntimes: [WaitingRuntime] = []
    /// `AWS_LAMBDA_MAX_CONCURRENCY` of the bootstrap's environment: invocations in flight at once.
    var maxConcurrency: Int { ConcurrencySetting.maxConcurrency(environment: configuration.environment) }
    var faults = FaultPlan()
    var storedInitError: ByteBuffer?
    var process: BootstrapProcess?
    var incarnation = Incarnation()
    var starts = 0
    var invocationsServed = 0
    var isShuttingDown = false
    /// Extensions registered with this bootstrap, by identifier, and their waiting `event/next`.
    var extensions: [String: String] = [:]
    var waitingExtensions: [EventLoopPromise<EmulatorResponse>] = []
    private let stoppedPromise: EventLoopPromise<Void>

    /// Completes once `shutdown()` stopped the bootstrap.
    var stopped: EventLoopFuture<Void> { stoppedPromise.futureResult }

    init(loop: EventLoop, configuration: EmulatorConfiguration) {
        self.loop = loop
        self.configuration = configuration
        self.functionARN = LambdaEnvironment.functionARN(environment: configuration.environment)
        self.stoppedPromise = loop.makePromise()
    }

    /// Sets the bootstrap's environment (it names the bound port) and starts the bootstrap.
    func start(environment: [String: String]) {
        loop.preconditionInEventLoop()
        configuration.environment = environment
        functionARN = LambdaEnvironment.functionARN(environment: environment)
        startBootstrapIfNeeded()
    }

    func markStopped() {
        stoppedPromise.succeed(())
    }

    /// Serves `request` if its route belongs to `listener`; anything else is a 404, as if it did not exist.
    func handle(
        _ request: EmulatorRequest, channel: Channel, on listener: EmulatorListener
    ) -> EventLoopFuture<EmulatorResponse> {
        loop.preconditionInEventLoop()
        guard let route = EmulatorRoute(method: request.head.method.rawValue, uri: request.head.uri),
              route.listener == listener
        else {
            return loop.makeSucceededFuture(.error(.notFound, EmulatorErrors.notFound))
        }
        switch route {
        case .invoke: return invoke(request)
        case .streamingInvoke: return invoke(request, streaming: true)
        case .nextInvocation: return nextInvocation(channel: channel)
        case .invocationResponse(let id): return loop.makeSucceededFuture(invocationResponse(id, request))
        case .invocationError(let id): return loop.makeSucceededFuture(invocationError(id, request))
        case .initError: return loop.makeSucceededFuture(initError(request))
        case .extensionRegister: return loop.makeSucceededFuture(registerExtension(request))
        case .extensionNext: return extensionNext(request)
        case .faults(let method): return loop.makeSucceededFuture(faults(method, request))
        case .status: return loop.makeSucceededFuture(status())
        }
    }

    // MARK: Scheduling

    /// Hands queued invocations to waiting `next` requests, oldest first, while fewer than
    /// `maxConcurrency` are in flight.
    func dispatchIfPossible() {
        while inFlight.count < maxConcurrency, !pending.isEmpty, !waitingRuntimes.isEmpty,
              process != nil, !incarnation.killedByEmulator {
            dispatch(to: waitingRuntimes.removeFirst())
        }
    }

    private func dispatch(to waiter: WaitingRuntime) {
        if !waiter.delayed, let delay = faults.takeNextDelay(), delay > 0 {
            // Injected fault: the runtime's `next` is answered late, as if it had arrived `delay` ms later.
            log("fault: delaying the answer to next by \(delay) ms")
            loop.scheduleTask(in: .milliseconds(delay)) { [self] in
                registerWaitingRuntime(waiter.promise, channel: waiter.channel, delayed: true)
            }
            return
        }
        guard waiter.channel.isActive else {
            waiter.promise.succeed(.error(.gone, EmulatorErrors.unknownRequestID))
            return
        }
        let invocation = pending.removeFirst()
        inFlight[invocation.requestID] = invocation
        invocation.startedAt = .now()
        let timeoutNanoseconds = Int64(configuration.timeoutSeconds * 1_000_000_000)
        let deadlineMilliseconds = Int64(Date().timeIntervalSince1970 * 1000) + timeoutNanoseconds / 1_000_000
        let requestID = invocation.requestID
        invocation.timeoutTask = loop.scheduleTask(in: .nanoseconds(timeoutNanoseconds)) { [self] in
            timedOut(requestID)
        }
        var headers: HTTPHeaders = [
            "Content-Type": "application/json",
            "Lambda-Runtime-Aws-Request-Id": requestID,
            "Lambda-Runtime-Deadline-Ms": String(deadlineMilliseconds),
            "Lambda-Runtime-Invoked-Function-Arn": functionARN,
            "Lambda-Runtime-Trace-Id": invocation.traceID,
        ]
        if let context = invocation.clientContext {
            headers.add(name: "Lambda-Runtime-Client-Context", value: context)
        }
        if let identity = invocation.cognitoIdentity {
            headers.add(name: "Lambda-Runtime-Cognito-Identity", value: identity)
        }
        if let tenantID = invocation.tenantID {
            headers.add(name: "Lambda-Runtime-Aws-Tenant-Id", value: tenantID)
        }
        log("START RequestId: \(requestID) Version: $LATEST")
        waiter.promise.succeed(EmulatorResponse(status: .ok, headers: headers, body: invocation.payload))
    }

    /// Answers an in-flight invocation and moves on to the next one.
    func finishInFlight(_ requestID: String, body: ByteBuffer, functionError: Bool, errorType: String? = nil) {
        guard let invocation = inFlight.removeValue(forKey: requestID) else { return }
        recentlyAnswered.insert(invocation.requestID)
        invocationsServed += 1
        let milliseconds = invocation.startedAt.map { Double((NIODeadline.now() - $0).nanoseconds) / 1_000_000 } ?? 0
        log("END RequestId: \(invocation.requestID) Duration: \(String(format: "%.2f", milliseconds)) ms"
            + (functionError ? " (function error)" : ""))
        logReport(invocation, milliseconds: milliseconds)
        invocation.answer(body: body, functionError: functionError, errorType: errorType)
        dispatchIfPossible()
    }

    /// Every invocation still in flight, oldest first.
    var inFlightOldestFirst: [Invocation] {
        inFlight.values.sorted { ($0.startedAt ?? .distantFuture) < ($1.startedAt ?? .distantFuture) }
    }

    /// Answers a queued invocation that never reached the runtime.
    func failQueued(_ invocation: Invocation, body: ByteBuffer) {
        recentlyAnswered.insert(invocation.requestID)
        invocationsServed += 1
        log("RequestId: \(invocation.requestID) failed before reaching the runtime")
        invocation.answer(body: body, functionError: true)
    }

    func failQueued(_ invocation: Invocation, with error: LambdaErrorBody) {
        failQueued(invocation, body: ByteBuffer(string: error.json))
    }

    private func timedOut(_ requestID: String) {
        guard let invocation = inFlight[requestID] else { return }
        log("RequestId: \(requestID) timed out after \(configuration.timeoutSeconds) s; killing the bootstrap")
        invocation.timeoutTask = nil
        if let process {
            incarnation.killedByEmulator = true
            process.send(SIGKILL)
        }
        finishInFlight(requestID, body: ByteBuffer(string: EmulatorErrors.timeout(seconds: configuration.timeoutSeconds).json),
                       functionError: true)
    }
}
