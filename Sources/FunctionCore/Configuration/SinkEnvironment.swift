import AWSCredentials
import JSON
import PostgresSink

/// The sink's environment variables, turned into a `PostgresSink` (which connects on first use).
package enum SinkEnvironment {
    package static let urlVariable = "SINK_POSTGRES_URL"
    package static let modeVariable = "SINK_MODE"
    package static let tableVariable = "SINK_TABLE"
    package static let authVariable = "SINK_POSTGRES_AUTH"
    package static let passwordVariable = "SINK_POSTGRES_PASSWORD"
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
            for variable in [modeVariable, tableVariable, authVariable, passwordVariable, caBundleVariable]
            where environment.raw(variable) != nil {
                throw invalid(urlVariable, "is required when \(variable) is set")
            }
            return nil
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
        switch environment.raw(authVariable) ?? "password" {
        case "password":
            authentication = .password(environment.raw(passwordVariable))
        case "iam":
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
            connection: url, mode: mode, table: table, authentication: authentication, caBundlePath: caBundle)
        do {
            return try PostgresSink(settings: settings, tokens: tokens)
        } catch {
            throw invalid(urlVariable, error.reason)
        }
    }

    private static func invalid(_ variable: String, _ reason: String) -> ConfigurationError {
        ConfigurationError(variable, reason)
    }
}
