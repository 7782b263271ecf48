import Foundation
import LambdaEmulatorCore
import NIOCore
import NIOHTTP1

extension Emulator {
    /// The runtime started a streamed response for `requestID`; nil when no such invocation is in
    /// flight (the request is then read whole and answered as an unexpected one).
    func beginStreamedResponse(_ requestID: String, head: HTTPRequestHead) -> StreamRelay? {
        loop.preconditionInEventLoop()
        guard let invocation = inFlight[requestID], invocation.relay == nil else { return nil }
        let relay = StreamRelay(passThrough: invocation.wantsStream)
        invocation.relay = relay
        if relay.passThrough {
            var headers: HTTPHeaders = [
                "Content-Type": head.headers.first(name: "Content-Type") ?? "application/octet-stream",
                "X-Amz-Executed-Version": "$LATEST",
                "X-Amzn-Requestid": requestID,
                "Transfer-Encoding": "chunked",
                "Trailer": "\(StreamRelay.errorTypeTrailer), \(StreamRelay.errorBodyTrailer)",
            ]
            headers.add(name: "Lambda-Runtime-Function-Response-Mode", value: "streaming")
            invocation.answerWithStream(EmulatorResponse(status: .ok, headers: headers), relay: relay)
        }
        log("RequestId: \(requestID) streaming its response")
        return relay
    }

    /// The streamed response ended with `trailers`; answers the runtime.
    func endStreamedResponse(_ requestID: String, relay: StreamRelay, trailers: HTTPHeaders?) -> EmulatorResponse {
        loop.preconditionInEventLoop()
        guard inFlight[requestID]?.relay === relay else {
            return .error(.badRequest, EmulatorErrors.alreadyAnswered)
        }
        if relay.exceededLimit {
            let error = LambdaErrorBody(
                errorMessage: "Response size exceeded the streaming limit of \(StreamRelay.limitBytes) bytes",
                errorType: "Function.ResponseSizeTooLarge")
            finishInFlight(requestID, body: ByteBuffer(string: error.json), functionError: true)
            return .error(.payloadTooLarge, error)
        }
        if let errorType = trailers?.first(name: StreamRelay.errorTypeTrailer) {
            let body = trailers?.first(name: StreamRelay.errorBodyTrailer)
                .flatMap { Data(base64Encoded: $0) }
                .map { ByteBuffer(bytes: $0) }
                ?? ByteBuffer(string: LambdaErrorBody(errorMessage: "", errorType: errorType).json)
            log("RequestId: \(requestID) failed mid-stream after \(relay.bytes) bytes: \(FunctionErrorType.normalized(errorType))")
            finishInFlight(requestID, body: body, functionError: true, errorType: FunctionErrorType.normalized(errorType))
            return .accepted
        }
        if !relay.passThrough && relay.exceededBufferedLimit {
            finishInFlight(requestID, body: ByteBuffer(string: EmulatorErrors.callerResponseTooLarge.json), functionError: true)
            return .accepted
        }
        finishInFlight(requestID, body: relay.buffered, functionError: false)
        return .accepted
    }
}
