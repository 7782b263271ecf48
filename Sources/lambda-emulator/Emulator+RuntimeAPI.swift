import LambdaEmulatorCore
import NIOCore
import NIOHTTP1

extension Emulator {
    /// `GET /2018-06-01/runtime/invocation/next`: a long poll answered when an invocation is dispatched.
    func nextInvocation(channel: Channel) -> EventLoopFuture<EmulatorResponse> {
        let promise = loop.makePromise(of: EmulatorResponse.self)
        registerWaitingRuntime(promise, channel: channel)
        return promise.futureResult
    }

    func registerWaitingRuntime(_ promise: EventLoopPromise<EmulatorResponse>, channel: Channel, delayed: Bool = false) {
        if isShuttingDown {
            promise.succeed(.error(.serviceUnavailable, EmulatorErrors.shuttingDown))
            return
        }
        if process != nil, incarnation.initDuration == nil {
            incarnation.initDuration = .now() - incarnation.startedAt
        }
        if waitingRuntimes.count >= maxConcurrency {
            // One `next` per runtime loop can wait: the newer one wins (the older connection is most likely gone).
            waitingRuntimes.removeFirst().promise.succeed(.error(.conflict, LambdaErrorBody(
                errorMessage: "Another next request replaced this one", errorType: "InvalidStateTransition")))
        }
        waitingRuntimes.append((promise, channel, delayed))
        dispatchIfPossible()
    }

    /// `POST /2018-06-01/runtime/invocation/{id}/response`
    func invocationResponse(_ requestID: String, _ request: EmulatorRequest) -> EmulatorResponse {
        guard inFlight[requestID] != nil else {
            return answerForUnexpected(requestID)
        }
        if let status = faults.takeResponseStatus() {
            log("fault: answering \(status) to the response for \(requestID)")
            return .error(HTTPResponseStatus(statusCode: status), EmulatorErrors.injectedFault)
        }
        if request.bodyExceededLimit {
            return rejectOversized(requestID)
        }
        finishInFlight(requestID, body: request.body, functionError: false)
        return .accepted
    }

    /// `POST /2018-06-01/runtime/invocation/{id}/error`: the body goes to the caller unchanged.
    func invocationError(_ requestID: String, _ request: EmulatorRequest) -> EmulatorResponse {
        guard inFlight[requestID] != nil else {
            return answerForUnexpected(requestID)
        }
        if request.bodyExceededLimit {
            return rejectOversized(requestID)
        }
        let errorType = FunctionErrorType.normalized(request.header(RuntimeAPIHeader.functionErrorType))
        log("RequestId: \(requestID) failed: \(errorType)")
        finishInFlight(requestID, body: request.body, functionError: true)
        return .accepted
    }

    /// `POST /2018-06-01/runtime/init/error`: the invocation waiting for this bootstrap fails with that body.
    func initError(_ request: EmulatorRequest) -> EmulatorResponse {
        let errorType = FunctionErrorType.normalized(request.header(RuntimeAPIHeader.functionErrorType))
        log("bootstrap reported an init error: \(errorType)")
        let body = request.bodyExceededLimit
            ? ByteBuffer(string: EmulatorErrors.callerResponseTooLarge.json) : request.body
        incarnation.reportedInitError = true
        if let invocation = inFlightOldestFirst.first {
            finishInFlight(invocation.requestID, body: body, functionError: true)
        } else if let invocation = pending.popFirst() {
            failQueued(invocation, body: body)
        } else {
            storedInitError = body
        }
        return .accepted
    }

    private func rejectOversized(_ requestID: String) -> EmulatorResponse {
        finishInFlight(requestID, body: ByteBuffer(string: EmulatorErrors.callerResponseTooLarge.json), functionError: true)
        return .error(.payloadTooLarge, EmulatorErrors.runtimeResponseTooLarge)
    }

    private func answerForUnexpected(_ requestID: String) -> EmulatorResponse {
        if recentlyAnswered.contains(requestID) {
            return .error(.badRequest, EmulatorErrors.alreadyAnswered)
        }
        return .error(.badRequest, EmulatorErrors.unknownRequestID)
    }
}
