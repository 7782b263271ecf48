import Foundation
import TestSupport
import Testing

/// Event-source-mapping batches through the real bootstrap (under the emulator) into a real PostgreSQL
/// started for the suite, and rows read back through API Gateway events. No Kafka broker is involved:
/// the event source mapping delivers the records in the event.
@Suite(.offCooperativePool, .serialized, .enabled(if: LocalPostgres.shouldRun, "PostgreSQL is not installed (CI requires it)"))
final class PostgresSinkEndToEndTests {
    let postgres: LocalPostgres

    init() throws {
        postgres = try LocalPostgres()
    }

    deinit {
        postgres.stop()
    }

    /// A bootstrap whose sink writes this suite's database.
    func emulator(_ environment: [String: String] = [:]) throws -> EmulatorHarness {
        try EmulatorHarness(
            environment: [
                "KAFKA_ENDPOINT": "127.0.0.1:9", "SINK_POSTGRES_URL": postgres.url, "CORS_ALLOW_ORIGIN": "*",
                "SINK_TOPICS": Self.sinkTopics,
            ].merging(environment) { $1 },
            timeoutSeconds: 30)
    }

    /// The topics the suite's bootstraps sink: the sample events' two and every `sink-` / `sink.` topic.
    static let sinkTopics = "orders,customers,sink-*,sink.*"

    struct Record {
        var topic: String
        var partition = 0
        var offset: Int
        var key: String? = nil
        var value: Data? = nil
        var headers: [[String: [Int]]] = []

        func json() -> [String: Any] {
            var object: [String: Any] = [
                "topic": topic, "partition": partition, "offset": offset, "timestamp": 1_795_262_400_000 + offset,
                "timestampType": "CREATE_TIME", "headers": headers,
            ]
            object["key"] = key.map { Data($0.utf8).base64EncodedString() }
            object["value"] = value?.base64EncodedString()
            return object
        }
    }

    static func batch(_ records: [Record], selfManaged: Bool = false) throws -> String {
        var grouped: [String: [[String: Any]]] = [:]
        for record in records {
            grouped["\(record.topic)-\(record.partition)", default: []].append(record.json())
        }
        var event: [String: Any] = [
            "eventSource": selfManaged ? "SelfManagedKafka" : "aws:kafka",
            "bootstrapServers": "b-1.example.com:9098", "records": grouped,
        ]
        if !selfManaged {
            event["eventSourceArn"] = "arn:aws:kafka:us-east-1:123456789012:cluster/demo/abc-1"
        }
        return try serialize(event)
    }

    static func json(_ text: String) -> Data { Data(text.utf8) }

    func succeed(_ emulator: EmulatorHarness, _ event: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let result = try emulator.invoke(event)
        try #require(
            result.status == 200 && result.functionError == nil, "expected success, got \(result.text.prefix(1000))",
            sourceLocation: sourceLocation)
        return try result.jsonObject()
    }

    func fail(_ emulator: EmulatorHarness, _ event: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let result = try emulator.invoke(event)
        try #require(result.functionError != nil, "expected a function error, got \(result.text.prefix(1000))", sourceLocation: sourceLocation)
        return try result.jsonObject()
    }

    @Test func mskBatchLandsOnceAndRedeliveryWritesNothingTwice() throws {
        let emulator = try emulator()
        let records = [
            Record(topic: "sink.orders", offset: 0, key: "k0", value: Self.json(#"{"id":0,"note":"quote \" backslash \\ ü"}"#),
                   headers: [["source": [119, 101, 98]], ["bin": [-1, 0, 65]]]),
            Record(topic: "sink.orders", offset: 1, key: nil, value: Data([0xDE, 0xAD, 0x00, 0xEF])),
            Record(topic: "sink.orders", partition: 1, offset: 0, key: "k2", value: nil),
            Record(topic: "sink.orders", partition: 1, offset: 1, key: "k3", value: Self.json("42")),
        ]
        let event = try Self.batch(records)
        let first = try succeed(emulator, event)
        #expect(first["written"] as? Int == 4)
        #expect(first["tables"] as? [String] == ["sink_orders"])
        let again = try succeed(emulator, event)
        #expect(again["written"] as? Int == 0)
        #expect(again["skipped"] as? Int == 4)
        #expect(try postgres.query("SELECT count(*) FROM sink_orders") == "4")
        #expect(try postgres.query("SELECT value_json->>'note' FROM sink_orders WHERE \"offset\" = 0 AND partition = 0")
                == #"quote " backslash \ ü"#)
        #expect(try postgres.query("SELECT encode(value_bytes, 'hex'), key IS NULL FROM sink_orders WHERE partition = 0 AND \"offset\" = 1")
                == "dead00ef|t")
        #expect(try postgres.query("SELECT value_json IS NULL AND value_bytes IS NULL FROM sink_orders WHERE partition = 1 AND \"offset\" = 0")
                == "t")
        #expect(try postgres.query("SELECT encode(value_bytes, 'escape') FROM sink_orders WHERE partition = 1 AND \"offset\" = 1") == "42")
        #expect(try postgres.query("SELECT headers::text FROM sink_orders WHERE partition = 0 AND \"offset\" = 0")
                == #"[{"key": "source", "value": "web"}, {"key": "bin", "value_base64": "/wBB"}]"#)
        #expect(try postgres.query("SELECT \"timestamp\" = to_timestamp(1795262400), timestamp_type FROM sink_orders WHERE partition = 0 AND \"offset\" = 0")
                == "t|CREATE_TIME")
    }

    @Test func selfManagedUpsertKeepsTheLatestOffsetAndTombstonesDelete() throws {
        let emulator = try emulator(["SINK_MODE": "upsert"])
        let topic = "sink-customers"
        let first = try succeed(emulator, Self.batch([
            Record(topic: topic, offset: 10, key: "ada", value: Self.json(#"{"tier":"gold"}"#)),
            Record(topic: topic, offset: 11, key: "grace", value: Self.json(#"{"tier":"silver"}"#)),
            Record(topic: topic, offset: 12, key: "ada", value: Self.json(#"{"tier":"platinum"}"#)),
        ], selfManaged: true))
        #expect(first["written"] as? Int == 2)
        #expect(first["skipped"] as? Int == 1)
        // An older batch delivered again changes nothing.
        let stale = try succeed(emulator, Self.batch([Record(topic: topic, offset: 10, key: "ada", value: Self.json(#"{"tier":"gold"}"#))], selfManaged: true))
        #expect(stale["written"] as? Int == 0)
        #expect(try postgres.query("SELECT key, value_json->>'tier', \"offset\" FROM sink_customers ORDER BY key")
                == "\\x616461|platinum|12\n\\x6772616365|silver|11")
        let tombstone = try succeed(emulator, Self.batch([Record(topic: topic, offset: 13, key: "grace", value: nil)], selfManaged: true))
        #expect(tombstone["deleted"] as? Int == 1)
        #expect(try postgres.query("SELECT count(*) FROM sink_customers WHERE key = 'grace'::bytea") == "0")
        #expect(try postgres.query("SELECT count(*) FROM sink_customers") == "1")
    }

    @Test func aDatabaseThatIsDownIsAStructuredErrorAndTheRuntimeKeepsServing() throws {
        let closedPort = try LocalPostgres.freePort()
        let emulator = try emulator(["SINK_POSTGRES_URL": "postgresql://writer:hunter2-secret@127.0.0.1:\(closedPort)/app"])
        let event = try Self.batch([Record(topic: "sink-down", offset: 0, key: "k", value: Self.json("{}"))])
        for _ in 0..<2 {
            let error = try fail(emulator, event)
            #expect(error["errorType"] as? String == "Function.DatabaseUnavailable")
            let message = error["errorMessage"] as? String ?? ""
            #expect(message.contains("127.0.0.1:\(closedPort)/app"))
            #expect(!message.contains("hunter2"))
        }
        #expect(!emulator.standardError.contains("hunter2"))
        #expect(try emulator.status()["restarts"] as? Int == 0)
    }

    @Test func aFailedBatchLeavesNoRowInAnyTable() throws {
        // The second table accepts the sink's columns but refuses offsets of 100 and more.
        _ = try postgres.query("""
            CREATE TABLE sink_atomic_b (topic text NOT NULL, "partition" integer NOT NULL, "offset" bigint NOT NULL CHECK ("offset" < 100),
              key bytea, value_json jsonb, value_bytes bytea, headers jsonb NOT NULL, "timestamp" timestamptz, timestamp_type text,
              PRIMARY KEY (topic, "partition", "offset"))
            """)
        let emulator = try emulator()
        let error = try fail(emulator, Self.batch([
            Record(topic: "sink-atomic-a", offset: 0, key: "a", value: Self.json("{}")),
            Record(topic: "sink-atomic-b", offset: 5, key: "b", value: Self.json("{}")),
            Record(topic: "sink-atomic-b", offset: 100, key: "c", value: Self.json("{}")),
        ]))
        #expect(error["errorType"] as? String == "Function.DatabaseError", "\(error)")
        let stored = try postgres.query(
            "SELECT (SELECT count(*) FROM sink_atomic_a) || ',' || (SELECT count(*) FROM sink_atomic_b)")
        #expect(stored == "0,0", "rows left behind (a,b): \(stored); answer: \(error); log: \(emulator.standardError.suffix(2000))")
    }

    @Test func aTableWithOtherColumnsIsAClearError() throws {
        _ = try postgres.query("CREATE TABLE sink_legacy (id integer PRIMARY KEY, payload text)")
        let emulator = try emulator()
        let error = try fail(emulator, Self.batch([Record(topic: "sink-legacy", offset: 0, key: "k", value: Self.json("{}"))]))
        #expect(error["errorType"] as? String == "Function.TableMismatch")
        let message = error["errorMessage"] as? String ?? ""
        #expect(message.contains("sink_legacy"))
        #expect(message.contains("column topic (text) is missing"))
        #expect(try postgres.query("SELECT count(*) FROM sink_legacy") == "0")
        // Upsert mode on a table made by insert mode names the key it needs.
        _ = try succeed(emulator, Self.batch([Record(topic: "sink-mode", offset: 0, key: "k", value: Self.json("{}"))]))
        let upsert = try self.emulator(["SINK_MODE": "upsert"])
        let keyError = try fail(upsert, Self.batch([Record(topic: "sink-mode", offset: 1, key: "k", value: Self.json("{}"))]))
        #expect(keyError["errorType"] as? String == "Function.TableMismatch")
        #expect((keyError["errorMessage"] as? String ?? "").contains("primary key (topic, key)"))
    }

    @Test func badBatchesAreInvalidEventsNamingTheField() throws {
        let emulator = try emulator()
        let good = Record(topic: "sink-bad", offset: 0, key: "k", value: Self.json("{}")).json()
        let cases: [([String: Any], String)] = [
            (["eventSource": "aws:kafka", "records": ["sink-bad-0": [good]]], "eventSourceArn"),
            (["eventSource": "SelfManagedKafka", "records": ["sink-bad-1": [good]]], "records.sink-bad-1[0]"),
            (["eventSource": "SelfManagedKafka", "records": ["sink-bad-0": [good.merging(["value": "not base64!"]) { $1 }]]],
             "records.sink-bad-0[0].value"),
            (["eventSource": "SelfManagedKafka", "records": ["sink-bad-0": [good.merging(["extra": 1]) { $1 }]]],
             "records.sink-bad-0[0].extra"),
            (["eventSource": "SelfManagedKafka", "records": ["sink-bad-0": [good.merging(["headers": [["h": [300]]]]) { $1 }]]],
             "records.sink-bad-0[0].headers[0].h[0]"),
        ]
        for (event, field) in cases {
            let error = try fail(emulator, try serialize(event))
            #expect(error["errorType"] as? String == "Function.InvalidEvent")
            #expect((error["errorMessage"] as? String ?? "").contains(field), "\(error)")
        }
    }

    @Test func rowsReadBackThroughAPIGatewayInPages() throws {
        let emulator = try emulator()
        let topic = "sink-pages"
        var records: [Record] = []
        for offset in 0..<3 {
            for partition in 0..<2 {
                records.append(Record(topic: topic, partition: partition, offset: offset, key: "k\(offset)",
                                      value: Self.json(#"{"p":\#(partition),"o":\#(offset)}"#)))
            }
        }
        records.append(Record(topic: topic, partition: 0, offset: 3, key: "bin", value: Data([0xFF, 0x00])))
        _ = try succeed(emulator, Self.batch(records))

        var seen: [String] = []
        var after: Int? = nil
        var pages = 0
        repeat {
            var query = ["limit": "3"]
            if let after { query["after_offset"] = String(after) }
            let answer = try emulator.invoke(try APIGatewayEndToEndTests.httpAPIEvent("GET", "/topics/\(topic)/rows", query: query))
            let proxy = try answer.jsonObject()
            #expect(proxy["statusCode"] as? Int == 200, "\(proxy)")
            #expect((proxy["headers"] as? [String: String])?["Access-Control-Allow-Origin"] == "*")
            let body = try #require(try JSONSerialization.jsonObject(with: Data((proxy["body"] as? String ?? "").utf8)) as? [String: Any])
            let rows = try #require(body["rows"] as? [[String: Any]])
            #expect(rows.count <= 3)
            seen += rows.map { "\($0["partition"] ?? "")@\($0["offset"] ?? "")" }
            after = body["next_after_offset"] as? Int
            pages += 1
        } while after != nil && pages < 10
        #expect(seen == ["0@0", "1@0", "0@1", "1@1", "0@2", "1@2", "0@3"])
        #expect(pages == 3)

        let byKey = try emulator.invoke(try APIGatewayEndToEndTests.httpAPIEvent("GET", "/topics/\(topic)/rows", query: ["key": "k1"]))
        let keyBody = try JSONSerialization.jsonObject(with: Data(((try byKey.jsonObject())["body"] as? String ?? "").utf8)) as? [String: Any]
        let keyRows = keyBody?["rows"] as? [[String: Any]] ?? []
        #expect(keyRows.count == 2)
        #expect(keyRows.allSatisfy { $0["key"] as? String == "k1" && ($0["value"] as? [String: Any])?["o"] as? Int == 1 })

        let binary = try emulator.invoke(try APIGatewayEndToEndTests.httpAPIEvent("GET", "/topics/\(topic)/rows", query: ["key": "bin"]))
        #expect(((try binary.jsonObject())["body"] as? String ?? "").contains(#""value_base64":"/wA=""#))

        let missing = try emulator.invoke(try APIGatewayEndToEndTests.httpAPIEvent("GET", "/topics/sink-never/rows"))
        #expect((try missing.jsonObject())["statusCode"] as? Int == 404)
        let badLimit = try emulator.invoke(try APIGatewayEndToEndTests.httpAPIEvent("GET", "/topics/\(topic)/rows", query: ["limit": "0"]))
        #expect((try badLimit.jsonObject())["statusCode"] as? Int == 400)
    }

    /// Security finding (issue 22): rows were read from any table shaped like a sink table, and a
    /// missing relation (404) answered differently from an existing non-sink one (502).
    @Test func rowsAreServedOnlyForTopicsTheFunctionSinks() throws {
        _ = try postgres.query("""
            CREATE TABLE payroll (topic text NOT NULL, "partition" integer NOT NULL, "offset" bigint NOT NULL, key bytea,
              value_json jsonb, value_bytes bytea, headers jsonb NOT NULL, "timestamp" timestamptz, timestamp_type text,
              PRIMARY KEY (topic, "partition", "offset"));
            INSERT INTO payroll VALUES ('payroll', 0, 0, NULL, '{"salary":99000}', NULL, '[]', NULL, NULL)
            """)
        let emulator = try emulator()
        func answer(_ topic: String, from emulator: EmulatorHarness) throws -> (status: Int?, body: String) {
            let proxy = try emulator.invoke(try APIGatewayEndToEndTests.httpAPIEvent("GET", "/topics/\(topic)/rows")).jsonObject()
            return (proxy["statusCode"] as? Int, proxy["body"] as? String ?? "")
        }
        let payroll = try answer("payroll", from: emulator)
        #expect(payroll.status == 404, "a table outside SINK_TOPICS was served: \(payroll)")
        #expect(!payroll.body.contains("99000"))
        let catalog = try answer("pg_authid", from: emulator)
        let neverWritten = try answer("sink-never", from: emulator)
        #expect(catalog.status == 404, "\(catalog)")
        #expect(catalog.body == payroll.body, "an existing relation answers differently from a missing one")
        #expect(neverWritten.status == 404 && neverWritten.body == payroll.body, "\(neverWritten)")

        // Names outside SINK_TOPICS never reach the database: with it down they are still 404.
        let closedPort = try LocalPostgres.freePort()
        let down = try self.emulator(["SINK_POSTGRES_URL": "postgresql://writer@127.0.0.1:\(closedPort)/app"])
        #expect(try answer("pg_authid", from: down) == catalog)
        #expect(try answer("payroll", from: down) == catalog)
        #expect(try answer("sink-pages", from: down).status == 503, "a sink topic is read from the database")
    }

    /// Security finding (issue 22): libpq quotes the component of a connection string it refuses.
    @Test func aConnectionStringLibpqRefusesIsAnInitErrorWithoutThePassword() throws {
        let emulator = try emulator(["SINK_POSTGRES_URL": "postgresql://sink:S3cr3t%zzPass@127.0.0.1:5432/app"])
        let result = try emulator.invoke(try Self.batch([Record(topic: "sink-init", offset: 0, value: Self.json("{}"))]))
        #expect(result.functionError == "Unhandled", "\(result.text)")
        #expect(emulator.waitForStandardError { $0.contains("init error: Function.InvalidConfiguration") }, "\(emulator.standardError)")
        #expect(result.text.contains("SINK_POSTGRES_URL"), "\(result.text)")
        #expect(!(result.text + emulator.standardError).contains("S3cr3t"), "\(result.text) \(emulator.standardError.suffix(2000))")
    }

    /// `SINK_POSTGRES_SECRET_ARN`: the bootstrap reads the password from Secrets Manager (moto) with its
    /// own signed call, logs in to a PostgreSQL that asks for it, and never prints it.
    @Test(.enabled(if: MotoServer.executablePath() != nil || ContinuousIntegration.isActive, "moto_server not found on PATH"))
    func thePasswordIsReadFromSecretsManagerAtRunTime() throws {
        let executable = try #require(MotoServer.executablePath(), "moto_server not found on PATH")
        let moto = try MotoServer(executable: executable)
        let password = "Secr3t-from-the-vault"
        let arn = try MotoSecrets(endpoint: moto.endpoint).create(name: "sink-e2e", secretString: #"{"password":"\#(password)"}"#)
        let hba = postgres.directory.appendingPathComponent("data/pg_hba.conf")
        let rules = try String(contentsOf: hba, encoding: .utf8)
        try ("host all sink_writer 127.0.0.1/32 scram-sha-256\n" + rules).write(to: hba, atomically: false, encoding: .utf8)
        _ = try postgres.query("CREATE ROLE sink_writer LOGIN PASSWORD '\(password)'; GRANT ALL ON SCHEMA public TO sink_writer")
        _ = try postgres.query("SELECT pg_reload_conf()")
        let emulator = try emulator([
            "SINK_POSTGRES_URL": "postgresql://sink_writer@127.0.0.1:\(postgres.port)/postgres", "SINK_POSTGRES_SECRET_ARN": arn,
            "AWS_ENDPOINT_URL_SECRETS_MANAGER": moto.endpoint, "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
            "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "AWS_LAMBDA_LOG_LEVEL": "TRACE",
        ])
        let answer = try succeed(emulator, Self.batch([Record(topic: "sink-vault", offset: 0, key: "k", value: Self.json("{}"))]))
        #expect(answer["written"] as? Int == 1)
        #expect(try postgres.query("SELECT tableowner FROM pg_tables WHERE tablename = 'sink_vault'") == "sink_writer")
        #expect(!emulator.standardError.contains(password))
    }

    /// The sink's sample events, in the order `scripts/run-local` sends them.
    static let sampleEvents = ["kafka-msk-batch.json", "kafka-self-managed-batch.json", "apigateway-http-rows.json"]

    @Test func sampleEventsLandAndReadBack() throws {
        let emulator = try emulator()
        let msk = try succeed(emulator, try SampleEvents.text(Self.sampleEvents[0]))
        #expect(msk["written"] as? Int == 3)
        let selfManaged = try succeed(emulator, try SampleEvents.text(Self.sampleEvents[1]))
        #expect(selfManaged["written"] as? Int == 4)
        let read = try emulator.invoke(try SampleEvents.text(Self.sampleEvents[2]))
        let proxy = try read.jsonObject()
        #expect(proxy["statusCode"] as? Int == 200)
        #expect((proxy["body"] as? String ?? "").contains(#""order_id": 1001"#))
    }
}
