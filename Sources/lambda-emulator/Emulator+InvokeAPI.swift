import Foundation
import LambdaEmulatorCore
import NIOCore

extension Emulator {
    /// `POST /2015-03-31/functions/{name}/invocations`: queue the event; answer when the function did.
    /// - Parameter streaming: the `response-streaming-invocations` route: a streamed response
    ///   reaches the caller chunk by chunk (`StreamRelay`).
    func invoke(_ request: EmulatorRequest, streaming: Bool = false) -> EventLoopFuture<EmulatorResponse> {
        if isShuttingDown {
            return loop.makeSucceededFuture(.error(.serviceUnavailable, EmulatorErrors.shuttingDown))
        }
        if request.bodyExceededLimit || request.body.readableBytes > EmulatorErrors.maxInvokePayloadBytes {
            return loop.makeSucceededFuture(.error(.payloadTooLarge, EmulatorErrors.invokePayloadTooLarge))
        }
        var clientContext: String?
        if let header = request.header("X-Amz-Client-Context") {
            guard let decoded = ClientContext.decode(base64: header) else {
                return loop.makeSucceededFuture(.error(.badRequest, EmulatorErrors.invalidClientContext))
            }
            clientContext = decoded
        }
        let tenantID = request.header(TenantID.invokeHeader)
        if let tenantID, !TenantID.isValid(tenantID) {
            return loop.makeSucceededFuture(.error(.badRequest, TenantID.invalid))
        }
        if pending.count >= configuration.maxPendingInvocations {
            // Lambda's answer when it throttles; the queue (and its event bodies) stays bounded.
            log("throttled: \(pending.count) invocations already queued (--max-pending-invocations)")
            return loop.makeSucceededFuture(.json(
                .tooManyRequests, EmulatorErrors.tooManyRequestsBody, headers: ["X-Amzn-ErrorType": "TooManyRequestsException"]))
        }
        let traceID = request.header("X-Amzn-Trace-Id")
            ?? TraceID.generate(epochSeconds: UInt32(truncatingIfNeeded: Int(Date().timeIntervalSince1970)))
        let promise = loop.makePromise(of: EmulatorResponse.self)
        let invocation = Invocation(
            requestID: UUID().uuidString.lowercased(), payload: request.body, traceID: traceID,
            clientContext: clientContext, cognitoIdentity: request.header("X-Amz-Cognito-Identity"), caller: promise)
        invocation.tenantID = tenantID
        invocation.wantsStream = streaming

        if let initError = storedInitError {
            // The bootstrap failed its init before this invocation arrived: report that failure now,
            // and start a fresh bootstrap for the invocation after this one.
            storedInitError = nil
            recentlyAnswered.insert(invocation.requestID)
            invocationsServed += 1
            invocation.answer(body: initError, functionError: true)
            return promise.futureResult
        }
        pending.append(invocation)
        startBootstrapIfNeeded()
        dispatchIfPossible()
        return promise.futureResult
    }
}
