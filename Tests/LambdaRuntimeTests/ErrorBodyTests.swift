import Foundation
import Testing

@testable import LambdaRuntime

@Suite struct ErrorBodyTests {
    @Test func errorBodyHasTheRuntimeAPIShape() throws {
        let body = LambdaErrorBody.encode(errorType: "Function.InvalidEvent", errorMessage: "bad \"event\"\n")
        let object = try parseJSONObject(String(decoding: body, as: UTF8.self))
        #expect(object["errorType"] as? String == "Function.InvalidEvent")
        #expect(object["errorMessage"] as? String == "bad \"event\"\n")
        #expect((object["stackTrace"] as? [Any])?.isEmpty == true)
        #expect(object.count == 3)
    }

    @Test func functionErrorsGetTheDefaultBody() throws {
        let error = LambdaError.invalidConfiguration(variable: "KAFKA_CONFIG_X", reason: "must be a number")
        let object = try parseJSONObject(String(decoding: error.errorBody, as: UTF8.self))
        #expect(object["errorType"] as? String == "Function.InvalidConfiguration")
        let message = try #require(object["errorMessage"] as? String)
        #expect(message.contains("KAFKA_CONFIG_X"))
    }
}
