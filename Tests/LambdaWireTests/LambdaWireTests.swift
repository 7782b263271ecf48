import Foundation
import LambdaWire
import Testing

@Suite struct LambdaWireTests {
    @Test func callerBodyHasLambdasShape() throws {
        let body = LambdaErrorBody(errorMessage: "bad \"quote\" / slash\u{2028}", errorType: "Function.Bad")
        #expect(body.json == #"{"errorMessage":"bad \"quote\" / slash\u2028","errorType":"Function.Bad"}"#)
        #expect(try JSONDecoder().decode(LambdaErrorBody.self, from: Data(body.json.utf8)) == body)
    }

    @Test func runtimeBodyAddsAnEmptyStackTrace() throws {
        let bytes = LambdaErrorBody.encode(errorType: "Function.X", errorMessage: "m")
        #expect(String(decoding: bytes, as: UTF8.self) == #"{"errorMessage":"m","errorType":"Function.X","stackTrace":[]}"#)
    }

    @Test(arguments: ["Function.UnhandledError", "Runtime.ExitError", "Function.Ab"])
    func wellFormedErrorTypesAreValid(_ type: String) {
        #expect(LambdaErrorType.isValid(type))
    }

    @Test(arguments: ["", "Function.", "Function.A", "Function.My.Error", "Function.Err0r", "Other.Error", "runtime.Error"])
    func malformedErrorTypesAreNot(_ type: String) {
        #expect(!LambdaErrorType.isValid(type))
        #expect(LambdaErrorType.sanitized(type) == LambdaErrorType.unhandled)
    }

    @Test func headerNamesAreLowerCase() {
        let names = [
            RuntimeAPIHeader.requestID, RuntimeAPIHeader.deadline, RuntimeAPIHeader.functionARN, RuntimeAPIHeader.traceID,
            RuntimeAPIHeader.clientContext, RuntimeAPIHeader.cognitoIdentity, RuntimeAPIHeader.functionErrorType,
        ]
        #expect(names.allSatisfy { $0 == $0.lowercased() && $0.hasPrefix("lambda-runtime-") })
    }
}
