import Logging
import Testing

@testable import LambdaRuntime

@Suite struct InvocationHeadersTests {
    let logger = Logger(label: "test")

    func headers(_ pairs: [String: String]) -> [(name: String, value: String)] {
        pairs.map { (name: $0.key.lowercased(), value: $0.value) }
    }

    @Test func allHeadersReachTheContext() throws {
        let context = try InvocationHeaders.context(
            from: headers([
                "Lambda-Runtime-Aws-Request-Id": "8476a536-e9f4-11e8-9739-2dfe598c3fcd",
                "Lambda-Runtime-Deadline-Ms": "1542409706888",
                "Lambda-Runtime-Invoked-Function-Arn": "arn:aws:lambda:us-east-2:123456789012:function:custom-runtime",
                "Lambda-Runtime-Trace-Id": "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1",
                "Lambda-Runtime-Client-Context": #"{"client":{}}"#,
                "Lambda-Runtime-Cognito-Identity": #"{"cognitoIdentityId":"x"}"#,
            ]), logger: logger)
        #expect(context.requestID == "8476a536-e9f4-11e8-9739-2dfe598c3fcd")
        #expect(context.deadlineEpochMilliseconds == 1_542_409_706_888)
        #expect(context.invokedFunctionARN == "arn:aws:lambda:us-east-2:123456789012:function:custom-runtime")
        #expect(context.traceID == "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1")
        #expect(context.clientContext == #"{"client":{}}"#)
        #expect(context.cognitoIdentity == #"{"cognitoIdentityId":"x"}"#)
        #expect(context.logger[metadataKey: "requestId"] == .string("8476a536-e9f4-11e8-9739-2dfe598c3fcd"))
    }

    @Test func optionalHeadersMayBeMissingOrEmpty() throws {
        let context = try InvocationHeaders.context(
            from: headers([
                "Lambda-Runtime-Aws-Request-Id": "abc",
                "Lambda-Runtime-Deadline-Ms": "42",
                "Lambda-Runtime-Trace-Id": "",
            ]), logger: logger)
        #expect(context.requestID == "abc")
        #expect(context.deadlineEpochMilliseconds == 42)
        #expect(context.invokedFunctionARN == "")
        #expect(context.traceID == nil)
        #expect(context.clientContext == nil)
        #expect(context.cognitoIdentity == nil)
    }

    @Test(arguments: [
        ["Lambda-Runtime-Deadline-Ms": "42"],
        ["Lambda-Runtime-Aws-Request-Id": "", "Lambda-Runtime-Deadline-Ms": "42"],
        ["Lambda-Runtime-Aws-Request-Id": "../init/error", "Lambda-Runtime-Deadline-Ms": "42"],
        ["Lambda-Runtime-Aws-Request-Id": "a?b", "Lambda-Runtime-Deadline-Ms": "42"],
        ["Lambda-Runtime-Aws-Request-Id": "abc"],
        ["Lambda-Runtime-Aws-Request-Id": "abc", "Lambda-Runtime-Deadline-Ms": "soon"],
    ])
    func contractBreachesAreRejected(_ pairs: [String: String]) {
        #expect(throws: RuntimeAPIError.self) {
            try InvocationHeaders.context(from: headers(pairs), logger: logger)
        }
    }
}
