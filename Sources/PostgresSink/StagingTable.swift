/// The per-connection temporary table a batch is copied into before one statement moves it into the
/// sink's table (upsert mode, and insert mode when a row of the batch is already stored). `ON COMMIT DELETE ROWS`: every commit empties it, and a rolled-back or broken
/// transaction leaves nothing in it; it lives as long as the session, so it is created once per
/// connection rather than once per batch (no catalog churn).
enum StagingTable {
    static let name = "pg_temp.lambda_kafka_sink_batch"
    static let columnCount = 9

    /// The sink table's columns, in `CopyEncoder`'s order, without constraints.
    static let createStatement = """
        CREATE TEMPORARY TABLE lambda_kafka_sink_batch (
            topic text, "partition" integer, "offset" bigint, key bytea, value_json jsonb, value_bytes bytea,
            headers jsonb, "timestamp" timestamptz, timestamp_type text) ON COMMIT DELETE ROWS
        """

    static let copyStatement = "COPY \(name) FROM STDIN (FORMAT binary)"

    /// Empties it between two tables of one batch (the commit empties it after the last).
    static let truncateStatement = "TRUNCATE \(name)"

    /// Insert mode's first try: the rows straight into the sink's table (see `SinkBatchWriter`).
    static func directCopyStatement(into table: TableName) -> String {
        "COPY \(table.quoted) \(columnList) FROM STDIN (FORMAT binary)"
    }

    private static let columnList = #"(topic, "partition", "offset", key, value_json, value_bytes, headers, "timestamp", timestamp_type)"#
    private static let selectList = #"b.topic, b."partition", b."offset", b.key, b.value_json, b.value_bytes, b.headers, b."timestamp", b.timestamp_type"#

    /// Insert mode: a record already stored (same topic, partition, offset) is skipped. Answers the
    /// number of rows inserted as its command tuples.
    static func insertStatement(into table: TableName) -> String {
        """
        INSERT INTO \(table.quoted) \(columnList)
        SELECT \(selectList) FROM \(name) AS b
        ON CONFLICT (topic, "partition", "offset") DO NOTHING
        """
    }

    /// Upsert mode, for records already reduced to the last one per key: values replace the stored row
    /// unless it holds the same or a later offset of the same partition; tombstones delete it on the
    /// same condition. Answers one row: (rows written, rows deleted). Without tombstones in the batch
    /// the delete (a join of the staging rows with the table) is left out.
    static func upsertStatement(into table: TableName, hasTombstones: Bool) -> String {
        // A data-modifying WITH runs even when nothing reads it: without tombstones it is left out.
        let removed = """
            removed AS (
                DELETE FROM \(table.quoted) AS t USING \(name) AS b
                 WHERE b.value_json IS NULL AND b.value_bytes IS NULL
                   AND t.topic = b.topic AND t.key = b.key AND \(storedIsOlder(than: "b"))
                RETURNING 1),
            """
        return """
        WITH \(hasTombstones ? removed : "")
        written AS (
            INSERT INTO \(table.quoted) AS t \(columnList)
            SELECT \(selectList) FROM \(name) AS b
             WHERE b.value_json IS NOT NULL OR b.value_bytes IS NOT NULL
            ON CONFLICT (topic, key) DO UPDATE SET
                "partition" = EXCLUDED."partition", "offset" = EXCLUDED."offset",
                value_json = EXCLUDED.value_json, value_bytes = EXCLUDED.value_bytes,
                headers = EXCLUDED.headers, "timestamp" = EXCLUDED."timestamp",
                timestamp_type = EXCLUDED.timestamp_type
             WHERE \(storedIsOlder(than: "EXCLUDED"))
            RETURNING 1)
        SELECT (SELECT count(*) FROM written), \(hasTombstones ? "(SELECT count(*) FROM removed)" : "0")
        """
    }

    /// The stored row `t` holds an earlier record than `row`; offsets of different partitions do not
    /// compare, so a record from another partition (the topic was repartitioned) replaces it.
    private static func storedIsOlder(than row: String) -> String {
        "(t.\"partition\" <> \(row).\"partition\" OR t.\"offset\" < \(row).\"offset\")"
    }
}
