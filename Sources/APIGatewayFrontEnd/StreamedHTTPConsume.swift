import FunctionCore
import JSON
import LambdaRuntime

/// `GET /topics/{topic}/records?stream=true`: the records as JSON Lines (as a direct `"stream": true`
/// consume sends them) inside a streamed HTTP answer (`HTTPIntegrationStream`).
///
/// Until the first chunk leaves (about 64 KiB of records, or the end of the read) nothing was sent, so
/// an error (a missing topic, Kafka failing) is the route's usual buffered problem answer. After it,
/// the status is sent: an error ends the stream with the runtime's error trailers.
package enum StreamedHTTPConsume {
    /// The summary line to send as the last chunk, or the error that broke the stream after its first byte.
    /// - Throws: the problem to answer, buffered, when nothing was sent yet.
    package static func run(
        _ options: ConsumeOptions, clients: any KafkaAccess, cors: CORSPolicy?, invocation: FunctionInvocation
    ) throws(HTTPProblem) -> Result<[UInt8], any Error> {
        guard let available = invocation.responder else {
            throw HTTPProblem(400, "Query parameter 'stream': this invocation cannot be answered as a stream; invoke the function with InvokeWithResponseStream (a streaming integration)")
        }
        let headers = [("Content-Type", StreamedConsume.contentType)] + (cors?.headers ?? [])
        let output = HTTPIntegrationStream.deferred(responder: available, status: 200, headers: headers)
        do {
            let summary = try StreamedConsume.run(options, clients: clients, invocation: invocation, stream: output)
            // Everything fitted in the last chunk: the prelude goes first, the runtime sends the rest.
            try output.open()
            return .success(summary)
        } catch {
            if output.isOpen { return .failure(error) }
            throw APIGatewayRouter.problem(for: error)
        }
    }
}
