/// The table layout the sink writes, and the check that an existing table has it.
enum TableSchema {
    /// Column names and types as `format_type` prints them.
    static let columns: [(name: String, type: String)] = [
        ("topic", "text"),
        ("partition", "integer"),
        ("offset", "bigint"),
        ("key", "bytea"),
        ("value_json", "jsonb"),
        ("value_bytes", "bytea"),
        ("headers", "jsonb"),
        ("timestamp", "timestamp with time zone"),
        ("timestamp_type", "text"),
    ]

    static func primaryKey(_ mode: SinkSettings.Mode) -> [String] {
        switch mode {
        case .insert: ["topic", "partition", "offset"]
        case .upsert: ["topic", "key"]
        }
    }

    static func createStatement(_ table: TableName, mode: SinkSettings.Mode) -> String {
        let keyColumn = mode == .upsert ? "bytea NOT NULL" : "bytea"
        return """
            CREATE TABLE IF NOT EXISTS \(table.quoted) (
                topic text NOT NULL,
                "partition" integer NOT NULL,
                "offset" bigint NOT NULL,
                key \(keyColumn),
                value_json jsonb,
                value_bytes bytea,
                headers jsonb NOT NULL,
                "timestamp" timestamptz,
                timestamp_type text,
                PRIMARY KEY (\(primaryKey(mode).map(quoteIdentifier).joined(separator: ", "))))
            """
    }

    /// Reads by key use this in insert mode (in upsert mode the primary key serves).
    static func keyIndexStatement(_ table: TableName) -> String {
        let indexName = quoteIdentifier(String((table.name + "_key_offset").prefix(TableName.maximumLength)))
        return "CREATE INDEX IF NOT EXISTS \(indexName) ON \(table.quoted) (topic, key, \"offset\")"
    }

    /// One row per column (name, type), then the primary key's columns in one text, for an existing table.
    static let describeStatement = """
        SELECT a.attname, format_type(a.atttypid, a.atttypmod),
               (SELECT string_agg(k.attname, ',' ORDER BY k.attname)
                  FROM pg_index i JOIN pg_attribute k ON k.attrelid = i.indrelid AND k.attnum = ANY (i.indkey)
                 WHERE i.indrelid = a.attrelid AND i.indisprimary)
          FROM pg_attribute a
         WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
         ORDER BY a.attnum
        """

    /// nil when the described table can take the sink's rows in this mode; otherwise what is wrong.
    static func mismatch(_ rows: [[String?]], mode: SinkSettings.Mode) -> String? {
        var found: [String: String] = [:]
        for row in rows {
            if let name = row[0], let type = row[1] { found[name] = type }
        }
        var problems: [String] = []
        for column in columns {
            switch found[column.name] {
            case nil: problems.append("column \(column.name) (\(column.type)) is missing")
            case let type? where type != column.type:
                problems.append("column \(column.name) is \(type), expected \(column.type)")
            default: break
            }
        }
        let expectedKey = primaryKey(mode).sorted().joined(separator: ",")
        let actualKey = rows.first?[2] ?? ""
        if problems.isEmpty, actualKey != expectedKey {
            let shown = actualKey.isEmpty ? "no primary key" : "primary key (\(actualKey))"
            problems.append("it has \(shown); \(mode.rawValue) mode needs primary key (\(primaryKey(mode).joined(separator: ", ")))")
        }
        return problems.isEmpty ? nil : problems.joined(separator: "; ")
    }
}
