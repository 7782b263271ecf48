import Testing

@testable import LambdaRuntime

@Suite struct ErrorTypeTests {
    @Test(arguments: ["Function.UnhandledError", "Runtime.ExitError", "Function.InvalidEvent", "Function.Ab"])
    func validTypesAreKept(_ type: String) {
        #expect(LambdaErrorType.sanitized(type) == type)
    }

    @Test(arguments: [
        "", "UnhandledError", "Function.", "Function.A", "Function.invalidEvent", "Function.Invalid Event",
        "Function.Invalid-Event", "Function.Invalid1", "Custom.InvalidEvent", "function.InvalidEvent",
        "Function.InvalidEvent\r\nX-Injected: 1", "Function.Évent",
    ])
    func invalidTypesBecomeUnhandledError(_ type: String) {
        #expect(LambdaErrorType.sanitized(type) == "Function.UnhandledError")
    }

    struct Unexpected: Error, CustomStringConvertible {
        var description: String { "password=hunter2" }
    }

    @Test func otherErrorsAnswerWithoutTheirDescription() {
        let answer = ErrorAnswer(Unexpected())
        #expect(answer.errorType == "Function.UnhandledError")
        #expect(answer.errorMessage.contains("Unexpected"))
        #expect(!answer.errorMessage.contains("hunter2"))
        #expect(!String(decoding: answer.body, as: UTF8.self).contains("hunter2"))
    }

    @Test func functionErrorsWithAnInvalidTypeAnswerConsistently() throws {
        let answer = ErrorAnswer(LambdaError(errorType: "not valid", errorMessage: "message"))
        #expect(answer.errorType == "Function.UnhandledError")
        let object = try parseJSONObject(String(decoding: answer.body, as: UTF8.self))
        #expect(object["errorType"] as? String == "Function.UnhandledError")
        #expect(object["errorMessage"] as? String == "message")
    }

    struct CustomBody: LambdaFunctionError {
        var errorType: String { "Function.Custom" }
        var errorMessage: String { "custom" }
        var errorBody: [UInt8] { Array(#"{"errorType":"Function.Custom","errorMessage":"custom","extra":1}"#.utf8) }
    }

    @Test func aCustomBodyIsPostedAsIs() {
        let answer = ErrorAnswer(CustomBody())
        #expect(answer.errorType == "Function.Custom")
        #expect(answer.body == CustomBody().errorBody)
    }
}
