import NIOCore
import NIOHTTP1

/// One Invoke API call, from the caller's request until its answer.
final class Invocation {
    let requestID: String
    let payload: ByteBuffer
    let traceID: String
    let clientContext: String?
    let cognitoIdentity: String?
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
    func answer(body: ByteBuffer, functionError: Bool) {
        timeoutTask?.cancel()
        timeoutTask = nil
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
        caller.succeed(response)
    }
}
