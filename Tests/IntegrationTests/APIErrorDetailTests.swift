import Foundation
import TestSupport
import Testing

/// An API caller whose request fails on the server side learns the status, not the function's
/// role, account, files or brokers; the function's log keeps the details.
@Suite(.offCooperativePool, .serialized) struct APIErrorDetailTests {
    /// A broker that refuses, an STS that names the role, a web-identity token file: every
    /// Kafka call fails on the server side with detail the caller must not see.
    struct FailingCredentials {
        let broker: FakeSASLBroker
        let sts: TinyHTTPResponder
        let directory: URL
        let emulator: EmulatorHarness
        /// What no answer to a caller may contain.
        var details: [String] {
            ["123456789012", "kafka-writer-role", directory.lastPathComponent, "AccessDenied", "STS", "OAUTHBEARER", "127.0.0.1"]
        }

        init() throws {
            broker = try FakeSASLBroker(refuse: true)
            // STS refuses the role, naming it as STS does.
            sts = try TinyHTTPResponder(status: 403, body: """
                <ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>Not authorized to perform \
                sts:AssumeRoleWithWebIdentity on arn:aws:iam::123456789012:role/kafka-writer-role</Message></Error></ErrorResponse>
                """)
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("api-detail-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let tokenFile = directory.appendingPathComponent("web-identity-token").path
            try "header.payload.signature".write(toFile: tokenFile, atomically: true, encoding: .utf8)
            emulator = try EmulatorHarness(
                environment: [
                    "KAFKA_ENDPOINT": broker.bootstrapServer, "KAFKA_AUTH": "iam", "KAFKA_CA_FILE": broker.caFile,
                    "AWS_REGION": "eu-west-1", "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/kafka-writer-role",
                    "AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile, "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:\(sts.port)",
                    "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "",
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI": "", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "",
                    "HOME": "/nonexistent",
                ],
                timeoutSeconds: 5)
        }

        func stop() {
            emulator.stop()
            broker.stop()
            try? FileManager.default.removeItem(at: directory)
        }
    }

    @Test func aCredentialFailureIsAGeneric5xxForAPICallers() throws {
        let setup = try FailingCredentials()
        defer { setup.stop() }
        let emulator = setup.emulator
        var event = try SampleEvents.object("apigateway-http-list-topics.json")
        event["body"] = nil
        let result = try emulator.invoke(try JSONSerialization.data(withJSONObject: event), timeout: 60)
        #expect(result.functionError == nil, "\(result.text)")
        let proxy = try result.jsonObject()
        let status = try #require(proxy["statusCode"] as? Int, "\(result.text)")
        #expect((500...504).contains(status), "\(result.text)")
        let body = proxy["body"] as? String ?? ""
        for detail in setup.details {
            #expect(!body.contains(detail), "the API answer names \(detail): \(body)")
        }
        #expect(body.contains("the function's log has the details"), "\(body)")
        // The log says what went wrong.
        #expect(emulator.waitForStandardError { $0.contains("API answer \(status)") && $0.contains("kafka-writer-role") },
                "\(emulator.standardError.suffix(3000))")
    }

    /// The same failure through the WebSocket pub/sub path: an `error_resp` with a 5xx code and a
    /// generic message; the function's log has the detail.
    @Test(arguments: ["cmd_kafka_fetch", "cmd_kafka_list_offset"])
    func aCredentialFailureIsAGenericErrorRespForWebSocketClients(command: String) throws {
        let setup = try FailingCredentials()
        defer { setup.stop() }
        let emulator = setup.emulator
        var event = try SampleEvents.object("apigateway-websocket-fetch.json")
        let arguments = command == "cmd_kafka_fetch" ? #""offset":0"# : #""timestamp":-1"#
        event["body"] = #"{"sequence":5,"\#(command)":{"topic":"orders","partition":0,\#(arguments)}}"#
        let result = try emulator.invoke(try JSONSerialization.data(withJSONObject: event), timeout: 60)
        #expect(result.functionError == nil, "\(result.text)")
        let proxy = try result.jsonObject()
        let body = try #require(proxy["body"] as? String, "\(result.text)")
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any], "\(body)")
        let error = try #require(answer["error_resp"] as? [String: Any], "\(body)")
        let code = try #require(error["code"] as? Int, "\(body)")
        #expect((500...504).contains(code), "\(body)")
        let message = error["message"] as? String ?? ""
        for detail in setup.details {
            #expect(!message.contains(detail), "the error_resp names \(detail): \(message)")
        }
        #expect(message.contains("the function's log has the details"), "\(message)")
        #expect(emulator.waitForStandardError { $0.contains("error_resp \(code)") && $0.contains("kafka-writer-role") },
                "\(emulator.standardError.suffix(3000))")
    }
}
