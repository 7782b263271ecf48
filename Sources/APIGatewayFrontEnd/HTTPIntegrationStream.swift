import FunctionCore
import JSON
import LambdaRuntime

/// A streamed HTTP answer in the form Lambda function URLs (`InvokeMode: RESPONSE_STREAM`) and API
/// Gateway's streaming Lambda proxy integration (`responseTransferMode: STREAM`) read: the stream's
/// content type is `application/vnd.awslambda.http-integration-response`, and it starts with a JSON
/// prelude (`statusCode`, `headers`, `cookies`) followed by eight NUL bytes, then the body.
package enum HTTPIntegrationStream {
    package static let contentType = "application/vnd.awslambda.http-integration-response"
    /// The separator after the prelude.
    package static let delimiter = [UInt8](repeating: 0, count: 8)

    /// A stream that sends the prelude with its first chunk, opened at the first write.
    package static func deferred(responder: StreamingResponder, status: Int, headers: [(String, String)]) -> DeferredStream {
        DeferredStream(responder: responder, contentType: contentType, prefix: prelude(status: status, headers: headers))
    }

    /// `{"statusCode":...,"headers":{...},"cookies":[]}` and the delimiter.
    package static func prelude(status: Int, headers: [(String, String)]) -> [UInt8] {
        var writer = JSONWriter(reservingCapacity: 512)
        writer.appendASCII("{\"statusCode\":\(status),\"headers\":")
        writer.write(.object(headers.map { ($0.0, .string($0.1)) }))
        writer.appendASCII(",\"cookies\":[]}")
        return writer.bytes + delimiter
    }
}
