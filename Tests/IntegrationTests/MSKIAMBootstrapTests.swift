import Foundation
import TestSupport
import Testing

/// The real bootstrap under the emulator with `KAFKA_AUTH=iam`, against the fake SASL broker.
@Suite(.offCooperativePool, .serialized) struct MSKIAMBootstrapTests {
    @Test func aProduceWithIAMIsAnsweredWithAnAuthenticationErrorAndTheBrokerSawTheToken() throws {
        let broker = try FakeSASLBroker(refuse: true)
        defer { broker.stop() }
        let emulator = try EmulatorHarness(
            environment: [
                "KAFKA_ENDPOINT": broker.bootstrapServer, "KAFKA_AUTH": "iam", "KAFKA_CA_FILE": broker.caFile,
                "AWS_REGION": "ap-southeast-2", "AWS_ACCESS_KEY_ID": "AKIDBOOTSTRAPTEST01",
                "AWS_SECRET_ACCESS_KEY": "bootstrapTestSecretKey0123456789abcdefXYZ", "AWS_SESSION_TOKEN": "bootstrap-session",
                "HOME": "/nonexistent",
            ],
            timeoutSeconds: 6)
        defer { emulator.stop() }

        let result = try emulator.invokeFailingBeforeDeadline(
            #"{"action":"produce","topic":"orders","records":[{"value":"x"}]}"#, deadlineSeconds: 6, timeout: 60)
        let body = try result.jsonObject()
        #expect(body["errorType"] as? String == "Function.KafkaError", "\(result.text)")
        let message = try #require(body["errorMessage"] as? String)
        #expect(message.contains("_AUTHENTICATION"), "\(message)")
        #expect(message.contains("fake broker refuses this client"), "\(message)")

        // The broker logs a request before answering it, but its log reaches us through a pipe.
        #expect(broker.waitForEvents { $0.contains { $0.event == "request" && $0.name == "SaslAuthenticate" } })
        let authBytes = try #require(broker.requests(named: "SaslAuthenticate").first?.authBytes, "\(broker.events.map(\.event))")
        let token = try #require(OAuthBearerResponse.token(in: authBytes))
        let url = try #require(OAuthBearerResponse.decodeBase64URL(token))
        #expect(URLComponents(string: url)?.host == "kafka.ap-southeast-2.amazonaws.com")
        #expect(OAuthBearerResponse.queryItems(of: url)["X-Amz-Security-Token"] == "bootstrap-session")
        #expect(broker.requests(named: "SaslHandshake").allSatisfy { $0.mechanism == "OAUTHBEARER" })
    }
}
