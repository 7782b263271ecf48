import Foundation
import TestSupport
import Testing

@Suite(.offCooperativePool, .serialized) struct RuntimeContractTests {
    @Test func manySequentialInvocationsAreServedByOneProcess() throws {
        let emulator = try diagnosticEmulator()
        defer { emulator.stop() }
        let (_, first) = try emulator.invocationContext()
        let pid = try emulator.bootstrapPID()
        var requestIDs: Set<String> = [try #require(first["requestId"] as? String)]
        for _ in 1..<200 {
            let (result, context) = try emulator.invocationContext()
            let requestID = try #require(context["requestId"] as? String)
            #expect(requestID == result.requestID)
            requestIDs.insert(requestID)
        }
        #expect(requestIDs.count == 200)
        #expect(try emulator.bootstrapPID() == pid)
        #expect(try emulator.restarts() == 0)
        #expect(try emulator.status()["invocations_served"] as? Int == 200)
    }

    @Test func aFunctionErrorAnswersWithItsTypeAndMessage() throws {
        let emulator = try diagnosticEmulator()
        defer { emulator.stop() }
        let message = "broker \"b-1\" unreachable\nretry later"
        let event = try JSONSerialization.data(withJSONObject: [
            "action": "diagnostic.error", "errorType": "Function.KafkaUnavailable", "errorMessage": message,
        ])
        let result = try emulator.invoke(event)
        #expect(result.status == 200)
        #expect(result.functionError == "Unhandled")
        let body = try result.jsonObject()
        #expect(body["errorType"] as? String == "Function.KafkaUnavailable")
        #expect(body["errorMessage"] as? String == message)
        #expect((body["stackTrace"] as? [Any])?.isEmpty == true)
        // The emulator logs the Lambda-Runtime-Function-Error-Type header it received.
        #expect(emulator.waitForStandardError { $0.contains("failed: Function.KafkaUnavailable") })
    }

    @Test func anErrorTypeOutsideTheContractIsSanitized() throws {
        let emulator = try diagnosticEmulator()
        defer { emulator.stop() }
        let result = try emulator.invoke(
            #"{"action":"diagnostic.error","errorType":"kafka failure!","errorMessage":"m"}"#)
        #expect(result.functionError == "Unhandled")
        #expect(try result.jsonObject()["errorType"] as? String == "Function.UnhandledError")
        #expect(emulator.waitForStandardError { $0.contains("failed: Function.UnhandledError") })
    }

    @Test func anInvalidConfigurationIsAnInitErrorNamingTheVariable() throws {
        let emulator = try EmulatorHarness(environment: ["KAFKA_ENDPOINT": "127.0.0.1:9", "KAFKA_TLS": "perhaps"])
        defer { emulator.stop() }
        let result = try emulator.invoke(#"{"action":"offsets","topic":"orders"}"#)
        #expect(result.functionError == "Unhandled")
        let body = try result.jsonObject()
        #expect(body["errorType"] as? String == "Function.InvalidConfiguration")
        let message = try #require(body["errorMessage"] as? String)
        #expect(message.contains("KAFKA_TLS"))
        #expect(emulator.waitForStandardError { $0.contains("init error: Function.InvalidConfiguration") })
        #expect(emulator.waitForStandardError { $0.contains("Runtime exiting: initialisation failed") })
    }

    @Test func theProductBootstrapHasNoDiagnosticActions() throws {
        // A valid configuration (the endpoint is never contacted), so init succeeds and the
        // answer comes from the handler: the diagnostic bootstrap would crash on this event.
        let emulator = try EmulatorHarness(environment: ["KAFKA_ENDPOINT": "127.0.0.1:9"])
        defer { emulator.stop() }
        let result = try emulator.invoke(#"{"action":"diagnostic.crash"}"#)
        #expect(result.functionError == "Unhandled")
        let body = try result.jsonObject()
        #expect(body["errorType"] as? String == "Function.UnknownAction", "\(result.text)")
        #expect((body["errorMessage"] as? String)?.contains("diagnostic.crash") == true, "\(result.text)")
        #expect(try emulator.restarts() == 0)
        #expect(!emulator.standardError.contains("init error"), "\(emulator.standardError.suffix(1000))")
    }

    @Test func traceIDDeadlineAndIdentityReachTheHandler() throws {
        let emulator = try diagnosticEmulator(timeoutSeconds: 30)
        defer { emulator.stop() }
        let traceID = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
        let clientContext = #"{"custom":{"tenant":"a"}}"#
        let cognito = #"{"cognitoIdentityId":"us-east-1:1","cognitoIdentityPoolId":"pool"}"#
        let before = Int64(Date().timeIntervalSince1970 * 1000)
        let (result, context) = try emulator.invocationContext(headers: [
            "X-Amzn-Trace-Id": traceID,
            "X-Amz-Client-Context": Data(clientContext.utf8).base64EncodedString(),
            "X-Amz-Cognito-Identity": cognito,
        ])
        let after = Int64(Date().timeIntervalSince1970 * 1000)
        #expect(context["requestId"] as? String == result.requestID)
        #expect(context["traceId"] as? String == traceID)
        // Handed over in the context only: no setenv racing librdkafka's threads' getenv.
        #expect(context["traceIdEnvironment"] == nil)
        #expect(context["clientContext"] as? String == clientContext)
        #expect(context["cognitoIdentity"] as? String == cognito)
        let arn = try #require(context["invokedFunctionArn"] as? String)
        #expect(arn.hasPrefix("arn:aws:lambda:") && arn.hasSuffix(":function:function"))
        let deadline = try #require((context["deadlineMs"] as? NSNumber)?.int64Value)
        #expect(deadline >= before + 29_000 && deadline <= after + 30_000)
        let remaining = try #require((context["remainingMs"] as? NSNumber)?.int64Value)
        #expect(remaining > 0 && remaining <= 30_000)

        // Without a trace header the emulator makes one, and the context carries it.
        let (_, next) = try emulator.invocationContext()
        let nextTrace = try #require(next["traceId"] as? String)
        #expect(nextTrace != traceID && nextTrace.hasPrefix("Root=1-"))
        #expect(next["traceIdEnvironment"] == nil)
        #expect(next["clientContext"] == nil)
    }
}
