import AWSSigV4
@testable import PostgresSink
import Testing

@Suite struct SinkSettingsTests {
    @Test func topicsBecomeSafeTableNames() {
        #expect(TableName.forTopic("orders").quoted == #""orders""#)
        #expect(TableName.forTopic("Orders.EU-west_1").name == "orders_eu_west_1")
        #expect(TableName.forTopic(String(repeating: "a", count: 249)).name.count == 63)
        #expect(TableName.forTopic("1st").quoted == #""1st""#)
    }

    @Test func configuredTableNamesAreAllowListed() {
        #expect(TableName("events")?.quoted == #""events""#)
        #expect(TableName("kafka.events")?.quoted == #""kafka"."events""#)
        for bad in ["", "Events", "a;drop table x", "a\"b", "a.b.c", "1abc", String(repeating: "a", count: 64), "a."] {
            #expect(TableName(bad) == nil, "\(bad)")
        }
        #expect(quoteIdentifier("we\"ird") == #""we""ird""#)
    }

    @Test func arrayLiteralsEscapeQuotesBackslashesAndBytes() {
        var literal = ArrayLiteral()
        literal.appendQuoted(Array(#"{"a":"b\"c"}"#.utf8))
        literal.appendNull()
        literal.appendBytea([0x00, 0xFF, 0x22])
        literal.appendPlain("-1")
        #expect(String(decoding: literal.finished(), as: UTF8.self) == #"{"{\"a\":\"b\\\"c\"}",NULL,"\\x00ff22",-1}"#)
        #expect(String(decoding: ArrayLiteral().finished(), as: UTF8.self) == "{}")
    }

    @Test func connectionTargetsNeverShowThePassword() throws {
        let target = try ConnectionTarget.parse("postgresql://writer:s3cret@db.example.com:6543/app?sslmode=require")
        #expect(target.host == "db.example.com")
        #expect(target.port == 6543)
        #expect(target.user == "writer")
        #expect(target.hasPassword)
        #expect(!target.description.contains("s3cret"))
        do {
            _ = try ConnectionTarget.parse("postgresql://writer:s3cret@db.example.com:notaport/app")
            Issue.record("a bad port was accepted")
        } catch {
            #expect(!error.reason.contains("s3cret"))
        }
    }

    @Test func iamNeedsAUserAHostAndNoPassword() {
        let tokens = RDSAuthTokenGenerator(region: "us-east-1", credentials: NoCredentials())
        for url in ["postgresql://db.example.com/app", "postgresql://u:p@db.example.com/app", "postgresql://u@/app?host=/tmp"] {
            #expect(throws: ConnectionTargetError.self, "\(url)") {
                _ = try PostgresSink(
                    settings: SinkSettings(connection: url, authentication: .iam(region: "us-east-1", caBundlePath: "/ca.pem")),
                    tokens: tokens)
            }
        }
    }

    @Test func upsertKeepsTheLatestRecordPerKey() throws {
        func record(_ key: String?, partition: Int32 = 0, offset: Int64) -> SinkRecord {
            SinkRecord(
                topic: "t", partition: partition, offset: offset, key: key.map { Array($0.utf8) }, value: .bytes([1]),
                headersJSON: Array("[]".utf8), timestampMilliseconds: nil, timestampType: nil)
        }
        let latest = try PostgresSink.latestPerKey([record("a", offset: 1), record("b", offset: 2), record("a", offset: 3)])
        #expect(latest.map(\.offset) == [3, 2])
        #expect(throws: SinkError.self) { _ = try PostgresSink.latestPerKey([record(nil, offset: 1)]) }
    }

    @Test func schemaCheckNamesWhatIsWrong() {
        #expect(TableSchema.mismatch([["id", "integer", nil]], mode: .insert)?.contains("column topic (text) is missing") == true)
        let right = TableSchema.columns.map { [$0.name, $0.type, "offset,partition,topic"] as [String?] }
        #expect(TableSchema.mismatch(right, mode: .insert) == nil)
        #expect(TableSchema.mismatch(right, mode: .upsert)?.contains("upsert mode needs primary key (topic, key)") == true)
    }
}

private struct NoCredentials: CredentialProvider {
    func credentials() throws -> SigningCredentials { SigningCredentials(accessKeyID: "", secretAccessKey: "") }
}
