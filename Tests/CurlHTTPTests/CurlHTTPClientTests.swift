import CurlHTTP
import TestSupport
import Testing

@Suite(.offCooperativePool) struct CurlHTTPClientTests {
    @Test func sendsTheRequestAndParsesStatusHeadersAndBody() throws {
        let responder = try TinyHTTPResponder(status: 202, body: #"{"ok":true}"#)
        let client = try CurlHTTPClient(options: .init(bypassProxy: true))
        let response = try client.perform(
            HTTPRequest(method: "POST", url: "http://127.0.0.1:\(responder.port)/path?q=1",
                        headers: [("X-Test-Header", "value 1")], body: Array("payload".utf8)),
            timeout: .seconds(10))
        #expect(response.status == 202)
        #expect(response.body == Array(#"{"ok":true}"#.utf8))
        // Header values arrive without their line end and names in lower case.
        #expect(response.header("Content-Type") == "application/json")
        #expect(response.header("content-length") == "11")
        let head = try #require(responder.requests.first)
        #expect(head.hasPrefix("POST /path?q=1 HTTP/1.1"))
        #expect(head.contains("X-Test-Header: value 1"))
        #expect(!head.contains("Expect:"))
    }

    @Test func aClosedPortIsAConnectionFailure() throws {
        let client = try CurlHTTPClient(options: .init(bypassProxy: true))
        #expect {
            _ = try client.perform(HTTPRequest(url: "http://127.0.0.1:9/"), timeout: .seconds(5))
        } throws: { error in
            (error as? CurlHTTPError)?.isConnectionFailure == true
        }
    }
}
