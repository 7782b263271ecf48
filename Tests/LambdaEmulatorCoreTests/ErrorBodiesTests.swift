import Foundation
import LambdaEmulatorCore
import Testing

@Suite struct ErrorBodiesTests {
    @Test func encodesLambdasErrorShapeWithEscaping() throws {
        let body = LambdaErrorBody(errorMessage: #"bad "quote" / slash"#, errorType: "Function.Bad")
        #expect(body.json == #"{"errorMessage":"bad \"quote\" / slash","errorType":"Function.Bad"}"#)
        #expect(try JSONDecoder().decode(LambdaErrorBody.self, from: Data(body.json.utf8)) == body)
    }

    @Test func timeoutMessageUsesTwoDecimals() {
        #expect(EmulatorErrors.timeout(seconds: 3).errorMessage == "Task timed out after 3.00 seconds")
        #expect(EmulatorErrors.timeout(seconds: 0.5).errorType == "Runtime.Timeout")
    }

    @Test func payloadLimitErrorsUseRIEsWording() {
        #expect(EmulatorErrors.runtimeResponseTooLarge.json
            == #"{"errorMessage":"Exceeded maximum allowed payload size (6291556 bytes).","errorType":"RequestEntityTooLarge"}"#)
        #expect(EmulatorErrors.callerResponseTooLarge.errorType == "Function.ResponseSizeTooLarge")
    }

    @Test func clientContextMustBeBase64OfAJSONObject() {
        let encoded = Data(#"{"custom":{"k":"v"}}"#.utf8).base64EncodedString()
        #expect(ClientContext.decode(base64: encoded) == #"{"custom":{"k":"v"}}"#)
        #expect(ClientContext.decode(base64: "not base64!") == nil)
        #expect(ClientContext.decode(base64: Data("[1,2]".utf8).base64EncodedString()) == nil)
    }

    @Test func recentRequestIDsForgetTheOldest() {
        var recent = RecentRequestIDs(capacity: 2)
        recent.insert("a")
        recent.insert("b")
        recent.insert("a")
        recent.insert("c")
        #expect(!recent.contains("a"))
        #expect(recent.contains("b"))
        #expect(recent.contains("c"))
    }
}
