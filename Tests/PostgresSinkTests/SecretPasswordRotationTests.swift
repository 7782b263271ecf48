import AWSCredentials
import Foundation
@testable import PostgresSink
import TestSupport
import Testing

/// The password read from Secrets Manager (moto) at run time, against a real PostgreSQL that asks
/// the sink's user for it (scram-sha-256): cached, and read again when the database refuses it.
@Suite(.offCooperativePool, .serialized, .enabled(if: (MotoServer.executablePath() != nil && LocalPostgres.binDirectory != nil)
                                 || ContinuousIntegration.isActive, "moto_server or PostgreSQL is not installed"))
final class SecretPasswordRotationTests {
    let postgres: LocalPostgres
    let moto: MotoServer
    let secrets: MotoSecrets

    init() throws {
        guard let executable = MotoServer.executablePath() else {
            throw MissingToolError("moto_server not found on PATH (pip install 'moto[server]')")
        }
        postgres = try LocalPostgres()
        moto = try MotoServer(executable: executable)
        secrets = MotoSecrets(endpoint: moto.endpoint)
        // The sink's user must log in with its password; psql (user postgres) keeps trust.
        let hba = postgres.directory.appendingPathComponent("data/pg_hba.conf")
        let rules = try String(contentsOf: hba, encoding: .utf8)
        try ("host all sink_writer 127.0.0.1/32 scram-sha-256\n" + rules).write(to: hba, atomically: false, encoding: .utf8)
        _ = try postgres.query("CREATE ROLE sink_writer LOGIN PASSWORD 'first-Pa55'; GRANT ALL ON SCHEMA public TO sink_writer")
        _ = try postgres.query("SELECT pg_reload_conf()")
    }

    deinit {
        postgres.stop()
    }

    func sink(secretARN: String) throws -> PostgresSink {
        let environment = [
            "AWS_ENDPOINT_URL_SECRETS_MANAGER": moto.endpoint,
            "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        ]
        let client = try SecretsManagerClient(
            region: "us-east-1", environment: environment, credentials: DefaultCredentialChain(environment: environment),
            timeout: .seconds(30))
        return try PostgresSink(
            settings: SinkSettings(
                connection: "postgresql://sink_writer@127.0.0.1:\(postgres.port)/postgres", topics: try #require(SinkTopics("rotated")),
                authentication: .secretsManager(secretARN: secretARN)),
            passwords: SecretsManagerPassword(secretARN: secretARN, client: client))
    }

    static func record(_ offset: Int64) -> SinkRecord {
        SinkRecord(topic: "rotated", partition: 0, offset: offset, key: nil, value: .json(Array("{}".utf8)),
                   headersJSON: Array("[]".utf8), timestampMilliseconds: nil, timestampType: nil)
    }

    @Test func aRotatedPasswordIsReadAgainWhenTheDatabaseRefusesTheCachedOne() throws {
        let arn = try secrets.create(name: "sink-db", secretString: #"{"username":"sink_writer","password":"first-Pa55"}"#)
        let sink = try sink(secretARN: arn)
        #expect(try sink.write([Self.record(0)]).written == 1)

        // Rotation: the database and the secret change; the sink still holds the old password.
        _ = try postgres.query("ALTER ROLE sink_writer PASSWORD 'second-Pa55'")
        try secrets.put(arn, secretString: #"{"username":"sink_writer","password":"second-Pa55"}"#)
        sink.disconnect()
        #expect(try sink.write([Self.record(1)]).written == 1)
        #expect(try postgres.query("SELECT count(*) FROM rotated") == "2")
    }

    @Test func aRefusedPasswordIsAnErrorWithoutThePassword() throws {
        let arn = try secrets.create(name: "wrong-db", secretString: #"{"password":"not-the-Pa55word"}"#)
        let sink = try sink(secretARN: arn)
        do {
            _ = try sink.write([Self.record(0)])
            Issue.record("a wrong password logged in")
        } catch {
            #expect(error.kind == .databaseUnavailable, "\(error)")
            #expect(error.message.contains("sink_writer@127.0.0.1:\(postgres.port)/postgres"), "\(error)")
            #expect(!error.message.contains("not-the-Pa55word"), "\(error)")
        }
    }
}
