import Foundation
import NIOCore
import NIOHTTP1

/// One Invoke API call, from the caller's request until its answer.
final class Invocation {
    let requestID: String
    let payload: ByteBuffer
    let traceID: String
    let clientContext: String?
    let cognitoIdentity: String?
    /// `X-Amz-Tenant-Id` of the invoke request, passed to the runtime as `Lambda-Runtime-Aws-Tenant-Id`.
    var tenantID: String?
    /// Invoked on the streaming route: a streamed response is passed through as it comes.
    var wantsStream = false
    /// Set once the runtime started a streamed response.
    var relay: StreamRelay?
    private var callerAnswered = false
    private let caller: EventLoopPromise<EmulatorResponse>
    var startedAt: NIODeadline?
    var timeoutTask: Scheduled<Void>?

    init(requestID: String, payload: ByteBuffer, traceID: String, clientContext: String?, cognitoIdentity: String?,
         caller: EventLoopPromise<EmulatorResponse>) {
        self.requestID = requestID
        self.payload = payload
        self.traceID = traceID
        self.clientContext = clientContext
        self.cognitoIdentity = cognitoIdentity
        self.caller = caller
    }

    /// Answers the caller the way the Invoke API does: 200, with `X-Amz-Function-Error` for a function error.
    func answer(body: ByteBuffer, functionError: Bool, errorType: String? = nil) {
        timeoutTask?.cancel()
        timeoutTask = nil
        if callerAnswered {
            // The caller already has the head of a streamed answer: end it, an error in the trailers.
            relay?.finish(
                errorType: functionError ? (errorType ?? Self.errorType(in: body) ?? "Unhandled") : nil,
                errorBody: functionError ? body : nil)
            return
        }
        callerAnswered = true
        var headers: HTTPHeaders = [
            "Content-Type": "application/json",
            "X-Amz-Executed-Version": "$LATEST",
            "X-Amzn-Requestid": requestID,
        ]
        if functionError {
            headers.add(name: "X-Amz-Function-Error", value: "Unhandled")
        }
        caller.succeed(EmulatorResponse(status: .ok, headers: headers, body: body))
    }

    /// Answers with something other than the function's outcome (for example the emulator shutting down).
    func answer(_ response: EmulatorResponse) {
        timeoutTask?.cancel()
        timeoutTask = nil
        if callerAnswered {
            relay?.finish(errorType: "Runtime.Unavailable", errorBody: response.body)
            return
        }
        callerAnswered = true
        caller.succeed(response)
    }

    /// Answers the streaming route's caller with the head of a streamed answer; the body follows through `relay`.
    func answerWithStream(_ head: EmulatorResponse, relay: StreamRelay) {
        guard !callerAnswered else { return }
        callerAnswered = true
        var response = head
        response.stream = relay
        caller.succeed(response)
    }

    private static func errorType(in body: ByteBuffer) -> String? {
        let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
        return object?["errorType"] as? String
    }
}
