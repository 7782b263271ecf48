import Logging

/// Why the loop cannot go on; the process exits non-zero with this reason.
struct RuntimeFatalError: Error {
    var reason: String
}

/// One invocation after another: `next`, run the handler, post the answer.
///
/// The trace id reaches the handler in `InvocationContext.traceID` only: `_X_AMZN_TRACE_ID` is
/// not exported per invocation, because `setenv` while librdkafka's and OpenSSL's threads call
/// `getenv` is a data race (glibc may move or reallocate the environment under a reader), and
/// nothing in this process reads the variable (there is no X-Ray SDK in it).
struct RuntimeLoop<Handler: LambdaHandler> {
    /// About 15 s of attempts with the default backoff before giving up on the Runtime API.
    static var maximumConsecutiveNextFailures: Int { 20 }

    var handler: Handler
    let client: any RuntimeAPIClientProtocol
    let logger: Logger
    /// True when this is the process's only loop: it may then publish its request id process-wide
    /// (for librdkafka's own log lines). Concurrent loops keep theirs per loop.
    var isOnlyLoop = true
    /// Set when SIGTERM is handled: no `next` once it arrived, and the invocation in flight is counted.
    var shutdown: GracefulShutdown?
    /// Waits between `next` attempts; tests replace it to see the delays without waiting them.
    var pause: (Duration) -> Void = Pause.sleep

    mutating func serveNextInvocation() throws(RuntimeFatalError) {
        while let shutdown, !shutdown.acceptsInvocations {
            // The process exits as soon as the invocations in flight are done.
            Pause.sleep(.seconds(1))
        }
        // Counted from before `next`: an event already on its way when SIGTERM comes is served.
        shutdown?.nextStarted()
        var invocation: Invocation
        do {
            invocation = try nextInvocation()
        } catch {
            shutdown?.nextEnded(received: false)
            throw error
        }
        shutdown?.nextEnded(received: true)
        defer { shutdown?.invocationEnded() }
        // At the end of this call, once the answer is posted: nothing reads the event any more.
        defer { client.recycle(&invocation.event) }
        let responder = StreamingResponder(endpoint: client.endpoint, requestID: invocation.context.requestID)
        var context = invocation.context
        context.responder = responder
        if isOnlyLoop {
            CurrentInvocation.publish(context.requestID)
        }
        defer { if isOnlyLoop { CurrentInvocation.publish(nil) } }

        let result: Result<[UInt8], any Error> = CurrentInvocation.$bound.withValue(context.requestID) {
            do {
                return .success(try handler.handle(invocation.event, context: context))
            } catch {
                return .failure(error)
            }
        }
        if let stream = responder.opened {
            finishStream(stream, result, context: context)
            return
        }
        switch result {
        case .success(let body):
            try postResponse(body, context: context)
        case .failure(let error):
            let answer = ErrorAnswer(error)
            context.logger.error("Invocation failed: \(answer.errorType): \(answer.errorMessage)")
            try postError(answer, context: context)
        }
    }

    /// Sends what the handler returned as the last chunk, or its error in the trailers. A broken
    /// stream loses only this invocation's answer (Lambda times it out); the loop goes on.
    private func finishStream(_ stream: ResponseStream, _ result: Result<[UInt8], any Error>, context: InvocationContext) {
        var error: ErrorAnswer?
        switch result {
        case .success(let tail):
            do {
                try stream.write(tail)
            } catch let failure {
                error = ErrorAnswer(failure)
            }
        case .failure(let failure):
            error = ErrorAnswer(failure)
        }
        if let error {
            context.logger.error("Streamed invocation failed after \(stream.bytesWritten) bytes: \(error.errorType): \(error.errorMessage)")
        }
        do {
            let status = try stream.finish(error: error)
            if !(200..<300).contains(status) {
                context.logger.error("The Runtime API answered the streamed response with HTTP \(status)")
            }
        } catch {
            context.logger.error("The streamed response could not be completed: \(error.description)")
        }
    }

    private func nextInvocation() throws(RuntimeFatalError) -> Invocation {
        var backoff = Backoff()
        var throttle = RetryLogThrottle()
        var failures = 0
        while true {
            do {
                return try client.next()
            } catch {
                failures += 1
                guard error.isTransient else {
                    throw RuntimeFatalError(reason: "cannot get the next invocation: \(error.description)")
                }
                guard failures < Self.maximumConsecutiveNextFailures else {
                    throw RuntimeFatalError(
                        reason: "cannot get the next invocation after \(failures) attempts: \(error.description)")
                }
                let delay = backoff.nextDelay()
                if let suppressed = throttle.shouldLog() {
                    logger.warning(
                        "Retrying next invocation in \(delay.milliseconds) ms (attempt \(failures), \(suppressed) retries not logged): \(error.description)")
                }
                pause(delay)
            }
        }
    }

    private func postResponse(_ body: [UInt8], context: InvocationContext) throws(RuntimeFatalError) {
        let outcome: PostOutcome
        do {
            outcome = try client.postResponse(requestID: context.requestID, body: body)
        } catch {
            throw RuntimeFatalError(reason: "cannot post the response of \(context.requestID): \(error.description)")
        }
        switch outcome {
        case .accepted:
            return
        case .rejected(413, let message):
            context.logger.error("The response of \(body.count) bytes is too large for Lambda: \(message)")
            let answer = ErrorAnswer(
                errorType: LambdaErrorType.responseSizeTooLarge,
                errorMessage: "The response of \(body.count) bytes exceeds the Lambda response size limit")
            try postError(answer, context: context, afterRejectedResponse: true)
        case .rejected(let status, let message) where status >= 500:
            context.logger.error("The Runtime API lost the invocation (HTTP \(status) on response): \(message)")
        case .rejected(let status, let message):
            throw RuntimeFatalError(reason: "the Runtime API refused the response with HTTP \(status): \(message)")
        }
    }

    /// - Parameter afterRejectedResponse: the platform may have closed the invocation already,
    ///   so a refusal is logged rather than fatal.
    private func postError(
        _ answer: ErrorAnswer, context: InvocationContext, afterRejectedResponse: Bool = false
    ) throws(RuntimeFatalError) {
        let outcome: PostOutcome
        do {
            outcome = try client.postError(requestID: context.requestID, errorType: answer.errorType, body: answer.body)
        } catch {
            throw RuntimeFatalError(reason: "cannot post the error of \(context.requestID): \(error.description)")
        }
        switch outcome {
        case .accepted:
            return
        case .rejected(let status, let message) where status >= 500 || afterRejectedResponse:
            context.logger.error("The Runtime API did not take the error (HTTP \(status)): \(message)")
        case .rejected(let status, let message):
            throw RuntimeFatalError(reason: "the Runtime API refused the error with HTTP \(status): \(message)")
        }
    }
}

/// Logs the first retry, then at most one every `interval`, counting the ones left out.
struct RetryLogThrottle {
    let interval: Duration
    private var lastLogged: ContinuousClock.Instant?
    private var suppressed = 0

    init(interval: Duration = .seconds(5)) {
        self.interval = interval
    }

    /// The number of retries not logged since the last logged one, or nil to stay quiet.
    mutating func shouldLog(now: ContinuousClock.Instant = .now) -> Int? {
        if let lastLogged, now - lastLogged < interval {
            suppressed += 1
            return nil
        }
        defer { suppressed = 0 }
        lastLogged = now
        return suppressed
    }
}
