import Foundation
import TestSupport
import Testing

/// An API caller whose request fails on the server side learns the status, not the function's
/// role, account, files or brokers; the function's log keeps the details.
@Suite(.serialized) struct APIErrorDetailTests {
    @Test func aCredentialFailureIsAGeneric5xxForAPICallers() throws {
        let broker = try FakeSASLBroker(refuse: true)
        defer { broker.stop() }
        // STS refuses the role, naming it as STS does.
        let sts = try TinyHTTPResponder(status: 403, body: """
            <ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>Not authorized to perform \
            sts:AssumeRoleWithWebIdentity on arn:aws:iam::123456789012:role/kafka-writer-role</Message></Error></ErrorResponse>
            """)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("api-detail-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let tokenFile = directory.appendingPathComponent("web-identity-token").path
        try "header.payload.signature".write(toFile: tokenFile, atomically: true, encoding: .utf8)

        let emulator = try EmulatorHarness(
            environment: [
                "KAFKA_ENDPOINT": broker.bootstrapServer, "KAFKA_AUTH": "iam", "KAFKA_CA_FILE": broker.caFile,
                "AWS_REGION": "eu-west-1", "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/kafka-writer-role",
                "AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile, "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:\(sts.port)",
                "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "",
                "AWS_CONTAINER_CREDENTIALS_FULL_URI": "", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "",
                "HOME": "/nonexistent",
            ],
            timeoutSeconds: 5)
        defer { emulator.stop() }

        var event = try SampleEvents.object("apigateway-http-list-topics.json")
        event["body"] = nil
        let result = try emulator.invoke(try JSONSerialization.data(withJSONObject: event), timeout: 60)
        #expect(result.functionError == nil, "\(result.text)")
        let proxy = try result.jsonObject()
        let status = try #require(proxy["statusCode"] as? Int, "\(result.text)")
        #expect((500...504).contains(status), "\(result.text)")
        let body = proxy["body"] as? String ?? ""
        for detail in ["123456789012", "kafka-writer-role", directory.lastPathComponent, "AccessDenied", "STS",
                       "OAUTHBEARER", "127.0.0.1"] {
            #expect(!body.contains(detail), "the API answer names \(detail): \(body)")
        }
        #expect(body.contains("the function's log has the details"), "\(body)")
        // The log says what went wrong.
        #expect(emulator.waitForStandardError { $0.contains("API answer \(status)") && $0.contains("kafka-writer-role") },
                "\(emulator.standardError.suffix(3000))")
    }
}
