import AWSSigV4

/// Opening and keeping the sink's connection, with the password, IAM token or secret it logs in with.
extension PostgresSink {
    /// Runs `body` on the open connection, opening one when needed. When a kept connection turns out to
    /// be broken, `body` runs once more on a new one: every batch is one transaction and idempotent.
    func withConnection<T>(_ body: (PostgresConnection) throws(SinkError) -> T) throws(SinkError) -> T {
        var attempt = 0
        while true {
            attempt += 1
            let reused = connection != nil
            let current = try openConnection()
            do {
                return try body(current)
            } catch {
                if !current.isUsable {
                    dropConnection()
                }
                if error.sqlState == "42P01" { preparedTables = [] }
                guard attempt == 1, (reused && error.kind == .databaseUnavailable) else { throw error }
            }
        }
    }

    func openConnection() throws(SinkError) -> PostgresConnection {
        if let connection, connection.isUsable { return connection }
        dropConnection()
        var keywords: [(String, String)] = [("dbname", settings.connection), ("fallback_application_name", "swift-lambda-kafka")]
        if setsConnectTimeout { keywords.append(("connect_timeout", String(settings.connectTimeoutSeconds))) }
        var secrets = [settings.connection] + ConnectionTarget.passwordComponents(of: settings.connection)
        switch settings.authentication {
        case let .password(password):
            if let password {
                keywords.append(("password", password))
                secrets.append(password)
            }
            if let caBundlePath = settings.caBundlePath {
                keywords += [("sslmode", "verify-full"), ("sslrootcert", caBundlePath)]
            }
        case let .iam(_, caBundlePath):
            let token = try currentToken().value
            keywords += [("password", token), ("sslmode", "verify-full"), ("sslrootcert", caBundlePath)]
            secrets.append(token)
        case .secretsManager:
            if let caBundlePath = settings.caBundlePath {
                keywords += [("sslmode", "verify-full"), ("sslrootcert", caBundlePath)]
            }
            return try openWithSecretPassword(keywords, secrets: secrets)
        }
        do {
            let opened = try PostgresConnection(keywords: keywords, describedAs: target.description, secrets: secrets)
            connection = opened
            return opened
        } catch {
            throw error.error
        }
    }

    /// Logs in with the secret's cached password; when the server asked for a password and the login
    /// failed, reads the secret again (it may have been rotated) and tries once more with a changed one.
    private func openWithSecretPassword(_ keywords: [(String, String)], secrets: [String]) throws(SinkError) -> PostgresConnection {
        guard let passwords else { throw SinkError(.authenticationFailed, "No way to read the password secret") }
        var password = try passwords.password(refresh: false)
        var refreshed = false
        while true {
            do {
                let opened = try PostgresConnection(
                    keywords: keywords + [("password", password)], describedAs: target.description, secrets: secrets + [password])
                connection = opened
                return opened
            } catch {
                guard error.serverAskedForPassword, !refreshed else { throw error.error }
                refreshed = true
                let fresh = try passwords.password(refresh: true)
                guard fresh != password else { throw error.error }
                password = fresh
            }
        }
    }

    func currentToken() throws(SinkError) -> RDSAuthToken {
        let now = clock.now().epochSeconds
        if let cachedToken, now - cachedToken.createdAtEpochSeconds < Self.tokenReuseSeconds { return cachedToken }
        guard let tokens else { throw SinkError(.authenticationFailed, "IAM authentication needs AWS credentials") }
        let token = try tokens.token(host: target.host, port: target.port, user: target.user)
        cachedToken = token
        return token
    }
}
