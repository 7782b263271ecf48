import CurlHTTP
import TestSupport
import Testing

@Suite(.offCooperativePool) struct ResponseCapTests {
    @Test(arguments: [true, false])
    func aBodyLargerThanTheCapIsRefused(declaresLength: Bool) throws {
        let responder = try TinyHTTPResponder(body: String(repeating: "x", count: 64 * 1024), declaresLength: declaresLength)
        let client = try CurlHTTPClient(options: .init(bypassProxy: true, maxResponseBytes: 16 * 1024))
        #expect {
            _ = try client.perform(HTTPRequest(url: "http://127.0.0.1:\(responder.port)/"), timeout: .seconds(10))
        } throws: { error in
            guard let error = error as? CurlHTTPError else { return false }
            return error.isResponseTooLarge && error.description.contains("larger than 16384 bytes")
        }
    }

    @Test func aBodyAtTheCapIsKept() throws {
        let body = String(repeating: "y", count: 16 * 1024)
        let responder = try TinyHTTPResponder(body: body, declaresLength: false)
        let client = try CurlHTTPClient(options: .init(bypassProxy: true, maxResponseBytes: 16 * 1024))
        let response = try client.perform(HTTPRequest(url: "http://127.0.0.1:\(responder.port)/"), timeout: .seconds(10))
        #expect(response.body.count == body.utf8.count)
    }
}
