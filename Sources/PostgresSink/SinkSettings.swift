import Encoding

/// What the sink writes where, as values (the function module reads them from the environment).
public struct SinkSettings: Sendable {
    public enum Mode: String, Sendable {
        /// Every record is a row keyed by (topic, partition, offset); redelivered records are skipped.
        case insert
        /// One row per (topic, key): the latest offset wins and a tombstone (null value) deletes the row.
        case upsert
    }

    public enum Authentication: Sendable {
        /// The password from the URI, `password`, or libpq's own sources (`PGPASSWORD`, `.pgpass`).
        case password(String?)
        /// RDS IAM database authentication: a fresh `rds-db:connect` token as the password, TLS verified
        /// against `caBundlePath`.
        case iam(region: String, caBundlePath: String)
        /// The `password` field of this Secrets Manager secret, read at run time (`SinkPasswordSource`).
        case secretsManager(secretARN: String)
    }

    /// A libpq connection URI or key=value string (host, port, dbname, user, sslmode, ...).
    public var connection: String
    public var mode: Mode
    /// The topics written and served; a batch with another topic fails, and its rows are never read.
    public var topics: SinkTopics
    /// One table for every topic; nil: a table per topic, named by `TableName.forTopic`.
    public var table: TableName?
    public var authentication: Authentication
    /// A CA bundle for `sslmode=verify-full` with password authentication too (nil: the URI's own TLS settings).
    public var caBundlePath: String?
    public var connectTimeoutSeconds: Int

    public init(
        connection: String, topics: SinkTopics, mode: Mode = .insert, table: TableName? = nil, authentication: Authentication = .password(nil),
        caBundlePath: String? = nil, connectTimeoutSeconds: Int = 5
    ) {
        self.connection = connection
        self.topics = topics
        self.mode = mode
        self.table = table
        self.authentication = authentication
        self.caBundlePath = caBundlePath
        self.connectTimeoutSeconds = connectTimeoutSeconds
    }
}

/// Where the sink connects, as libpq parsed it; safe to show (no password).
public struct ConnectionTarget: Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    var hasPassword: Bool

    /// Checks a connection URI or string with libpq's own parser.
    /// - Throws: a reason that quotes none of the text (it may hold a password), only libpq's words.
    public static func parse(_ connection: String) throws(ConnectionTargetError) -> ConnectionTarget {
        let options: ConnectionOptions
        switch ConnectionOptions.parse(connection) {
        case let .success(parsed): options = parsed
        case let .failure(failure):
            // libpq quotes the part it failed on, and that can be the password or the whole URI
            // (`invalid percent-encoded token: "S3cr3t%zzPass"`): every quoted part is withheld.
            throw ConnectionTargetError(
                reason: "libpq cannot parse it: \(SecretRedaction.withoutQuotedParts(failure.reason)) (quoted parts withheld: they may hold the password)")
        }
        let values = options.values
        let host = values["host"] ?? values["hostaddr"] ?? ""
        let portText = values["port"] ?? "5432"
        guard !host.contains(","), !portText.contains(",") else {
            throw ConnectionTargetError(reason: "name one host and port; several hosts are not supported")
        }
        guard let port = IntegerText.value(portText, in: 1...65535) else {
            throw ConnectionTargetError(reason: "the port must be an integer from 1 to 65535")
        }
        let user = values["user"] ?? ""
        return ConnectionTarget(
            host: host, port: port, user: user, database: values["dbname"] ?? user,
            hasPassword: !(values["password"] ?? "").isEmpty)
    }

    /// The password a connection string holds, as libpq reads it and as written in a URI's user info
    /// (percent-encoded): texts no error may show.
    static func passwordComponents(of connection: String) -> [String] {
        var secrets: [String] = []
        if case let .success(options) = ConnectionOptions.parse(connection), let password = options.values["password"] {
            secrets.append(password)
        }
        if let schemeEnd = connection.firstRange(of: "://") {
            let authority = connection[schemeEnd.upperBound...].prefix { $0 != "/" && $0 != "?" }
            if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
                secrets.append(String(authority[authority.index(after: colon)..<at]))
            }
        }
        return secrets.filter { !$0.isEmpty }
    }

    public var description: String {
        "\(user.isEmpty ? "" : "\(user)@")\(host.isEmpty ? "local socket" : host):\(port)/\(database)"
    }
}

public struct ConnectionTargetError: Error, Sendable {
    public var reason: String
}
