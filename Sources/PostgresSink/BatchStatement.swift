import Encoding

/// A batch as one statement: every column travels as one array parameter, so a batch of any size is
/// nine parameters, one round trip and (being one statement) one transaction.
struct BatchStatement {
    var sql: String
    var parameters: [PostgresConnection.Parameter]

    private static let batchColumns = """
        unnest($1::text[], $2::integer[], $3::bigint[], $4::bytea[], $5::jsonb[], $6::bytea[], $7::jsonb[], $8::bigint[], $9::text[])
          AS b(topic, "partition", "offset", key, value_json, value_bytes, headers, timestamp_ms, timestamp_type)
        """
    private static let selectColumns = """
        b.topic, b."partition", b."offset", b.key, b.value_json, b.value_bytes, b.headers,
               to_timestamp(0) + b.timestamp_ms * interval '1 millisecond', b.timestamp_type
        """
    private static let columnList = "(topic, \"partition\", \"offset\", key, value_json, value_bytes, headers, \"timestamp\", timestamp_type)"

    /// Insert mode: a record already stored (same topic, partition, offset) is skipped.
    /// The statement answers the number of rows inserted.
    static func insert(_ records: [SinkRecord], into table: TableName) -> BatchStatement {
        BatchStatement(
            sql: """
                INSERT INTO \(table.quoted) \(columnList)
                SELECT \(selectColumns)
                  FROM \(batchColumns)
                ON CONFLICT (topic, "partition", "offset") DO NOTHING
                """,
            parameters: arrays(records))
    }

    /// Upsert mode, for records already reduced to the last one per key: values replace the stored row
    /// unless it holds the same or a later offset of the same partition; tombstones delete it on the
    /// same condition. Answers one row: (rows written, rows deleted).
    static func upsert(_ records: [SinkRecord], into table: TableName) -> BatchStatement {
        return BatchStatement(
            sql: """
                WITH b AS (SELECT * FROM \(batchColumns)),
                removed AS (
                    DELETE FROM \(table.quoted) AS t USING b
                     WHERE b.value_json IS NULL AND b.value_bytes IS NULL
                       AND t.topic = b.topic AND t.key = b.key AND \(storedIsOlder(than: "b"))
                    RETURNING 1),
                written AS (
                    INSERT INTO \(table.quoted) AS t \(columnList)
                    SELECT \(selectColumns) FROM b
                     WHERE b.value_json IS NOT NULL OR b.value_bytes IS NOT NULL
                    ON CONFLICT (topic, key) DO UPDATE SET
                        "partition" = EXCLUDED."partition", "offset" = EXCLUDED."offset",
                        value_json = EXCLUDED.value_json, value_bytes = EXCLUDED.value_bytes,
                        headers = EXCLUDED.headers, "timestamp" = EXCLUDED."timestamp",
                        timestamp_type = EXCLUDED.timestamp_type
                     WHERE \(storedIsOlder(than: "EXCLUDED"))
                    RETURNING 1)
                SELECT (SELECT count(*) FROM written), (SELECT count(*) FROM removed)
                """,
            parameters: arrays(records))
    }

    /// The stored row `t` holds an earlier record than `row`; offsets of different partitions do not
    /// compare, so a record from another partition (the topic was repartitioned) replaces it.
    private static func storedIsOlder(than row: String) -> String {
        "(t.\"partition\" <> \(row).\"partition\" OR t.\"offset\" < \(row).\"offset\")"
    }

    private static func arrays(_ records: [SinkRecord]) -> [PostgresConnection.Parameter] {
        var topics = ArrayLiteral(), partitions = ArrayLiteral(), offsets = ArrayLiteral()
        var keys = ArrayLiteral(), jsonValues = ArrayLiteral(), byteValues = ArrayLiteral()
        var headers = ArrayLiteral(), timestamps = ArrayLiteral(), timestampTypes = ArrayLiteral()
        for record in records {
            topics.appendQuoted(Array(record.topic.utf8))
            partitions.appendPlain(String(record.partition))
            offsets.appendPlain(String(record.offset))
            if let key = record.key { keys.appendBytea(key) } else { keys.appendNull() }
            switch record.value {
            case let .json(text):
                jsonValues.appendQuoted(text)
                byteValues.appendNull()
            case let .bytes(bytes):
                jsonValues.appendNull()
                byteValues.appendBytea(bytes)
            case .tombstone:
                jsonValues.appendNull()
                byteValues.appendNull()
            }
            headers.appendQuoted(record.headersJSON)
            if let milliseconds = record.timestampMilliseconds { timestamps.appendPlain(String(milliseconds)) } else { timestamps.appendNull() }
            if let type = record.timestampType { timestampTypes.appendQuoted(Array(type.utf8)) } else { timestampTypes.appendNull() }
        }
        return [topics, partitions, offsets, keys, jsonValues, byteValues, headers, timestamps, timestampTypes]
            .map { .textBytes($0.finished()) }
    }
}

/// PostgreSQL's text form of a one-dimensional array: `{a,"b c",NULL}`.
struct ArrayLiteral {
    private var bytes: [UInt8] = [UInt8(ascii: "{")]
    private var isEmpty = true

    private mutating func separate() {
        if !isEmpty { bytes.append(UInt8(ascii: ",")) }
        isEmpty = false
    }

    mutating func appendNull() {
        separate()
        bytes += Array("NULL".utf8)
    }

    /// Digits and signs only, so no quoting is needed.
    mutating func appendPlain(_ text: String) {
        separate()
        bytes += Array(text.utf8)
    }

    /// Any text (no NUL): in double quotes, with `"` and `\` escaped by a backslash.
    mutating func appendQuoted(_ text: [UInt8]) {
        separate()
        bytes.reserveCapacity(bytes.count + text.count + 2)
        bytes.append(UInt8(ascii: "\""))
        for byte in text {
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { bytes.append(UInt8(ascii: "\\")) }
            bytes.append(byte)
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// `bytea` in hex form (`\x0aff`), its backslash escaped for the array syntax.
    mutating func appendBytea(_ value: [UInt8]) {
        separate()
        bytes.reserveCapacity(bytes.count + value.count * 2 + 6)
        bytes += [UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "\\"), UInt8(ascii: "x")]
        for byte in value {
            Hex.append(byte, to: &bytes)
        }
        bytes.append(UInt8(ascii: "\""))
    }

    func finished() -> [UInt8] {
        bytes + [UInt8(ascii: "}")]
    }
}
