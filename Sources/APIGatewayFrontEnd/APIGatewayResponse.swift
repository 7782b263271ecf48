import FunctionCore
import JSON

/// The proxy-integration answer API Gateway turns into an HTTP response (the same shape serves
/// payload versions 1.0 and 2.0).
package struct APIGatewayResponse {
    package var status: Int
    package var body: [UInt8]
    package var extraHeaders: [(String, String)] = []
    package var contentType = "application/json"

    package static func json(_ status: Int, _ body: [UInt8]) -> APIGatewayResponse {
        APIGatewayResponse(status: status, body: body)
    }

    package static func problem(_ problem: HTTPProblem) -> APIGatewayResponse {
        let body = JSONWriter.serialize(.object([
            ("error_code", .integer(problem.errorCode)),
            ("message", .string(problem.message)),
        ]))
        return APIGatewayResponse(status: problem.status, body: body, extraHeaders: problem.headers)
    }

    /// - Parameter cors: the function's CORS policy; nil adds no CORS headers.
    package func serialized(cors: CORSPolicy?) -> [UInt8] {
        var headers: [(key: String, value: JSONValue)] = []
        if !body.isEmpty {
            headers.append(("Content-Type", .string(contentType)))
        }
        headers += ((cors?.headers ?? []) + extraHeaders).map { ($0.0, .string($0.1)) }
        var writer = JSONWriter(reservingCapacity: body.count + body.count / 8 + 512)
        writer.appendASCII("{\"statusCode\":\(status),\"headers\":")
        writer.write(.object(headers))
        writer.appendASCII(",\"body\":")
        writer.writeString(String(decoding: body, as: UTF8.self))
        writer.appendASCII(",\"isBase64Encoded\":false}")
        return writer.bytes
    }
}
