import AWSCredentials
import Foundation
import Kafka
import KafkaAdminClient
import MSKIAMAuth
import Logging
import TestSupport
import Testing

/// What the client sends during TLS and SASL, recorded by a fake broker (scripts/test-tools/fake_sasl_broker.py).
@Suite(.offCooperativePool, .serialized) struct SASLWireTests {
    static let region = "eu-west-1"
    static let accessKeyID = "AKIDWIRETEST0000001"
    static let secretKey = "wireTestSecretKey/K7MDENG+bPxRfiCYEXAMPLE"
    static let sessionToken = "wire-test-session-token/with+chars=="

    /// MSK IAM over TLS, with credentials from the given variables.
    static func iamConfiguration(
        _ bootstrapServers: String, caFile: String?, credentialVariables: [String: String]
    ) throws -> KafkaConfiguration {
        let chain = DefaultCredentialChain(environment: credentialVariables.merging(["HOME": "/nonexistent"]) { current, _ in current })
        let provider = try MSKAuthTokenProvider(region: region, credentials: chain)
        return KafkaConfiguration(
            bootstrapServers: bootstrapServers,
            tls: KafkaConfiguration.TLS(trustRoots: caFile.map { .pemFile(path: $0) } ?? .systemDefault),
            sasl: .oauthBearer(OAuthBearer(tokenProvider: provider)))
    }

    private func iamConfiguration(_ broker: FakeSASLBroker, caFile: Bool = true) throws -> KafkaConfiguration {
        try Self.iamConfiguration(broker.bootstrapServer, caFile: caFile ? broker.caFile : nil, credentialVariables: [
            "AWS_ACCESS_KEY_ID": Self.accessKeyID, "AWS_SECRET_ACCESS_KEY": Self.secretKey, "AWS_SESSION_TOKEN": Self.sessionToken,
        ])
    }

    @Test func iamSendsOAuthBearerWithAnMSKTokenOverVerifiedTLS() throws {
        let broker = try FakeSASLBroker()
        defer { broker.stop() }
        let configuration = try iamConfiguration(broker)
        let admin = try KafkaAdmin(configuration: configuration, logger: Logger(label: "SASLWireTests"))
        let started = Date()
        // The broker accepts the token and answers Metadata without the topic: authentication
        // worked end to end, and without rd_kafka_poll (the token came from the background thread).
        let metadata = try admin.topicMetadata("wire-topic", deadline: .now.advanced(by: .seconds(15)))
        #expect(metadata == nil)
        #expect(Date().timeIntervalSince(started) < 14, "did not wait for the deadline")

        // The broker logs a request before answering it, but its log reaches us through a pipe.
        #expect(broker.waitForEvents { $0.contains { $0.event == "request" && $0.name == "Metadata" } })
        let events = broker.events
        let names = events.filter { $0.event == "request" }.map { $0.name ?? "" }
        let handshake = try #require(names.firstIndex(of: "SaslHandshake"), "\(names) \(broker.standardError)")
        let authenticate = try #require(names.firstIndex(of: "SaslAuthenticate"), "\(names)")
        let metadataRequest = try #require(names.firstIndex(of: "Metadata"), "\(names)")
        #expect(handshake < authenticate && authenticate < metadataRequest)
        #expect(broker.requests(named: "SaslHandshake").allSatisfy { $0.mechanism == "OAUTHBEARER" })
        #expect(events.contains { $0.event == "tls_established" })

        let authBytes = try #require(broker.requests(named: "SaslAuthenticate").first?.authBytes)
        #expect(authBytes.hasPrefix("n,,\u{1}auth=Bearer "), "\(authBytes.prefix(20))")
        #expect(authBytes.hasSuffix("\u{1}\u{1}"))
        let token = try #require(OAuthBearerResponse.token(in: authBytes))
        let url = try #require(OAuthBearerResponse.decodeBase64URL(token))
        try Self.expectMSKPresignedURL(url, region: Self.region, accessKeyID: Self.accessKeyID, sessionToken: Self.sessionToken)
        #expect(!url.contains(Self.secretKey))
    }

    @Test func withoutCredentialsTheRequestFailsAsAnAuthenticationErrorNamingTheSources() throws {
        let configuration = try Self.iamConfiguration("localhost:1", caFile: nil, credentialVariables: ["AWS_SESSION_TOKEN": Self.sessionToken])
        let admin = try KafkaAdmin(configuration: configuration, logger: Logger(label: "SASLWireTests"))
        let error = #expect(throws: KafkaError.self) {
            try admin.topicMetadata("wire-topic", deadline: .now.advanced(by: .seconds(2)))
        }
        #expect(error?.isAuthenticationFailure == true, "\(String(describing: error))")
        #expect(error?.message.contains("no AWS credentials found") == true, "\(String(describing: error))")
        #expect(error?.message.contains("environment") == true)
        #expect(error?.message.contains(Self.sessionToken) == false)
    }

    /// The checks a broker's IAM authorizer makes on the presigned URL, as far as they can be made without the key.
    static func expectMSKPresignedURL(_ url: String, region: String, accessKeyID: String, sessionToken: String) throws {
        let components = try #require(URLComponents(string: url))
        #expect(components.scheme == "https")
        #expect(components.host == "kafka.\(region).amazonaws.com")
        #expect(components.path == "/")
        #expect(url.contains("Action=kafka-cluster%3AConnect"), "\(url)")
        let query = OAuthBearerResponse.queryItems(of: url)
        #expect(query["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256")
        #expect(query["X-Amz-Expires"] == "900")
        #expect(query["X-Amz-SignedHeaders"] == "host")
        #expect(query["X-Amz-Security-Token"] == sessionToken)
        let credential = try #require(query["X-Amz-Credential"])
        let scope = credential.split(separator: "/").map(String.init)
        #expect(scope.count == 5)
        #expect(scope.first == accessKeyID)
        #expect(Array(scope.dropFirst(2)) == [region, "kafka-cluster", "aws4_request"])
        let date = try #require(query["X-Amz-Date"])
        #expect(date.count == 16 && date.hasPrefix(scope[1]) && date.hasSuffix("Z"))
        let signature = try #require(query["X-Amz-Signature"])
        #expect(signature.count == 64 && signature.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        #expect(query["User-Agent"]?.hasPrefix("swift-lambda-kafka/") == true)
    }

    @Test func withoutTheBrokersCATheHandshakeFailsAndNoSASLFrameIsSent() throws {
        let broker = try FakeSASLBroker()
        defer { broker.stop() }
        let configuration = try iamConfiguration(broker, caFile: false)
        let admin = try KafkaAdmin(configuration: configuration, logger: Logger(label: "SASLWireTests"))
        #expect(throws: KafkaError.self) {
            try admin.topicMetadata("wire-topic", deadline: .now.advanced(by: .seconds(3)))
        }
        #expect(broker.waitForEvents { $0.contains { $0.event == "tls_failed" } }, "\(broker.events.map(\.event))")
        #expect(broker.events.allSatisfy { $0.event != "request" && $0.event != "tls_established" })
    }

    @Test func scramSendsItsMechanismAndReportsTheRefusal() throws {
        let broker = try FakeSASLBroker(mechanism: "SCRAM-SHA-512")
        defer { broker.stop() }
        let configuration = KafkaConfiguration(
            bootstrapServers: broker.bootstrapServer, tls: KafkaConfiguration.TLS(trustRoots: .pemFile(path: broker.caFile)),
            sasl: .scramSHA512(KafkaConfiguration.UserCredentials(username: "alice", password: "scram-wire-password-1234")))
        let admin = try KafkaAdmin(configuration: configuration, logger: Logger(label: "SASLWireTests"))
        let started = Date()
        let error = #expect(throws: KafkaError.self) {
            try admin.topicMetadata("wire-topic", deadline: .now.advanced(by: .seconds(5)))
        }
        #expect(Date().timeIntervalSince(started) < 30, "bounded by the deadline")
        #expect(error?.isAuthenticationFailure == true, "\(String(describing: error))")
        #expect(error?.message.contains("scram-wire-password-1234") == false)

        #expect(broker.waitForEvents { $0.contains { $0.event == "request" && $0.name == "SaslAuthenticate" } })
        let handshakes = broker.requests(named: "SaslHandshake")
        #expect(!handshakes.isEmpty)
        #expect(handshakes.allSatisfy { $0.mechanism == "SCRAM-SHA-512" })
        let first = try #require(broker.requests(named: "SaslAuthenticate").first?.authBytes)
        #expect(first.hasPrefix("n,,n=alice,r="), "SCRAM client-first-message")
        #expect(!first.contains("scram-wire-password-1234"))
    }
}
