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

    @Test func copyRowsAreLengthPrefixedBinaryFields() throws {
        var encoder = CopyEncoder(reservingCapacity: 256)
        try encoder.append(SinkRecord(
            topic: "t", partition: 2, offset: 7, key: [0x00, 0xFF], value: .json(Array("{}".utf8)),
            headersJSON: Array("[]".utf8), timestampMilliseconds: 946_684_800_001, timestampType: "CREATE_TIME"))
        var expected: [UInt8] = [0, 9]                                    // nine fields
        expected += [0, 0, 0, 1] + Array("t".utf8)                        // topic
        expected += [0, 0, 0, 4, 0, 0, 0, 2]                              // partition
        expected += [0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 7]                  // offset
        expected += [0, 0, 0, 2, 0x00, 0xFF]                              // key
        expected += [0, 0, 0, 3, 1] + Array("{}".utf8)                    // value_json: jsonb version 1, then the text
        expected += [0xFF, 0xFF, 0xFF, 0xFF]                              // value_bytes NULL
        expected += [0, 0, 0, 3, 1] + Array("[]".utf8)                    // headers
        expected += [0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0x03, 0xE8]            // 1 ms after 2000-01-01, in microseconds
        expected += [0, 0, 0, 11] + Array("CREATE_TIME".utf8)
        #expect(encoder.bytes == expected)
        let outOfRange = SinkRecord(
            topic: "t", partition: 0, offset: 1, key: nil, value: .tombstone, headersJSON: Array("[]".utf8),
            timestampMilliseconds: .max, timestampType: nil)
        #expect(throws: SinkError.self) { try encoder.append(outOfRange) }
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

    /// libpq quotes the URI component it refuses, which can be the password (security finding, issue 22).
    @Test func aConnectionStringLibpqRefusesIsNeverQuotedInTheError() {
        for url in ["postgresql://sink:S3cr3t%zzPass@db.example.com:5432/app",
                    "postgresql://sink:S3cr3tPass@[db.example.com:5432/app",
                    "host=db.example.com password='S3cr3tPass"] {
            do {
                _ = try ConnectionTarget.parse(url)
                Issue.record("libpq accepted \(url)")
            } catch {
                #expect(!error.reason.contains("S3cr3t"), "the password is in the error: \(error.reason)")
                #expect(!error.reason.contains("sink:"), "the connection string is in the error: \(error.reason)")
            }
        }
    }

    @Test func sinkTopicsAreNamesOrNonEmptyPrefixes() throws {
        let topics = try #require(SinkTopics("orders, audit.*,sink-*"))
        #expect(topics.contains("orders"))
        #expect(!topics.contains("orders2"))
        #expect(topics.contains("audit.eu"))
        #expect(topics.contains("sink-x"))
        #expect(!topics.contains("pg_authid"))
        #expect(topics.description == "orders,audit.*,sink-*")
        for bad in ["", "*", "orders,", "a b", "orders,*", "x;y", String(repeating: "a", count: 250)] {
            #expect(SinkTopics(bad) == nil, "\(bad)")
        }
    }

    @Test func iamNeedsAUserAHostAndNoPassword() throws {
        let topics = try #require(SinkTopics("t"))
        let tokens = RDSAuthTokenGenerator(region: "us-east-1", credentials: NoCredentials())
        for url in ["postgresql://db.example.com/app", "postgresql://u:p@db.example.com/app", "postgresql://u@/app?host=/tmp"] {
            #expect(throws: ConnectionTargetError.self, "\(url)") {
                _ = try PostgresSink(
                    settings: SinkSettings(connection: url, topics: topics, authentication: .iam(region: "us-east-1", caBundlePath: "/ca.pem")),
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
