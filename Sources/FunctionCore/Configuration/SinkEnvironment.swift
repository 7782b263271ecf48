import AWSCredentials
import JSON
import PostgresSink

/// The sink's environment variables, turned into a `PostgresSink` (which connects on first use).
package enum SinkEnvironment {
    package static let urlVariable = "SINK_POSTGRES_URL"
    package static let topicsVariable = "SINK_TOPICS"
    package static let modeVariable = "SINK_MODE"
    package static let tableVariable = "SINK_TABLE"
    package static let authVariable = "SINK_POSTGRES_AUTH"
    package static let passwordVariable = "SINK_POSTGRES_PASSWORD"
    package static let secretVariable = "SINK_POSTGRES_SECRET_ARN"
    package static let caBundleVariable = "SINK_POSTGRES_CA_BUNDLE"
    package static let regionVariable = "AWS_REGION"

    /// nil when `SINK_POSTGRES_URL` is not set (and no other `SINK_` variable is).
    package static func sink(from environment: [String: String]) throws(FunctionError) -> PostgresSink? {
        do {
            return try sink(Environment(environment))
        } catch {
            throw error.functionError
        }
    }

    /// Values are taken as given (untrimmed), as the sink has always read them.
    package static func sink(_ environment: Environment) throws(ConfigurationError) -> PostgresSink? {
        guard let url = environment.raw(urlVariable), !url.isEmpty else {
            for variable in [topicsVariable, modeVariable, tableVariable, authVariable, passwordVariable, secretVariable, caBundleVariable]
            where environment.raw(variable) != nil {
                throw invalid(urlVariable, "is required when \(variable) is set")
            }
            return nil
        }
        guard let topicsText = environment.raw(topicsVariable), !topicsText.isEmpty else {
            throw invalid(topicsVariable, "is required with \(urlVariable): the topics this function sinks, comma-separated names or prefixes ending in * (orders,audit.*)")
        }
        guard let topics = SinkTopics(topicsText) else {
            throw invalid(topicsVariable, "must be comma-separated topic names ([a-zA-Z0-9._-]) or prefixes ending in * (orders,audit.*); a bare * is not allowed")
        }
        let mode: SinkSettings.Mode
        switch environment.raw(modeVariable) ?? "insert" {
        case "insert": mode = .insert
        case "upsert": mode = .upsert
        default: throw invalid(modeVariable, "must be insert or upsert")
        }
        var table: TableName?
        if let text = environment.raw(tableVariable), !text.isEmpty {
            guard let name = TableName(text) else {
                throw invalid(tableVariable, "must be table or schema.table, each [a-z_][a-z0-9_]* of at most 63 characters")
            }
            table = name
        }
        let caBundle = environment.raw(caBundleVariable).flatMap { $0.isEmpty ? nil : $0 }
        let authentication: SinkSettings.Authentication
        var tokens: RDSAuthTokenGenerator?
        var passwords: (any SinkPasswordSource)?
        let secretARN = environment.raw(secretVariable).flatMap { $0.isEmpty ? nil : $0 }
        switch environment.raw(authVariable) ?? "password" {
        case "password":
            if let secretARN {
                guard environment.raw(passwordVariable) == nil else {
                    throw invalid(passwordVariable, "must not be set with \(secretVariable) (the secret holds the password)")
                }
                guard let region = SecretsManagerClient.region(ofSecretARN: secretARN) else {
                    throw invalid(secretVariable, "must be a secret's ARN, arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME")
                }
                let client: SecretsManagerClient
                do {
                    client = try SecretsManagerClient(
                        region: region, environment: environment.dictionary,
                        credentials: DefaultCredentialChain(environment: environment.dictionary))
                } catch {
                    throw invalid(secretVariable, error.message)
                }
                authentication = .secretsManager(secretARN: secretARN)
                passwords = SecretsManagerPassword(secretARN: secretARN, client: client)
            } else {
                authentication = .password(environment.raw(passwordVariable))
            }
        case "iam":
            guard secretARN == nil else {
                throw invalid(secretVariable, "must not be set with \(authVariable)=iam (the IAM token is the password)")
            }
            guard environment.raw(passwordVariable) == nil else {
                throw invalid(passwordVariable, "must not be set with \(authVariable)=iam (the IAM token is the password)")
            }
            guard let caBundle else {
                throw invalid(caBundleVariable, "is required with \(authVariable)=iam: the server's certificate is verified against it")
            }
            guard let region = environment.raw(regionVariable), !region.isEmpty else {
                throw invalid(regionVariable, "is required with \(authVariable)=iam")
            }
            authentication = .iam(region: region, caBundlePath: caBundle)
            tokens = RDSAuthTokenGenerator(region: region, credentials: DefaultCredentialChain(environment: environment.dictionary))
        default:
            throw invalid(authVariable, "must be password or iam")
        }
        let settings = SinkSettings(
            connection: url, topics: topics, mode: mode, table: table, authentication: authentication, caBundlePath: caBundle)
        do {
            return try PostgresSink(settings: settings, tokens: tokens, passwords: passwords)
        } catch {
            throw invalid(urlVariable, error.reason)
        }
    }

    private static func invalid(_ variable: String, _ reason: String) -> ConfigurationError {
        ConfigurationError(variable, reason)
    }
}
