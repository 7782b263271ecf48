/// The Runtime API's header names, in lower case (HTTP header names are case-insensitive).
public enum RuntimeAPIHeader {
    public static let requestID = "lambda-runtime-aws-request-id"
    public static let deadline = "lambda-runtime-deadline-ms"
    public static let functionARN = "lambda-runtime-invoked-function-arn"
    public static let traceID = "lambda-runtime-trace-id"
    public static let clientContext = "lambda-runtime-client-context"
    public static let cognitoIdentity = "lambda-runtime-cognito-identity"
    public static let tenantID = "lambda-runtime-aws-tenant-id"
    /// Sent by the runtime with `/error` and `/init/error`; see `LambdaErrorType`.
    public static let functionErrorType = "lambda-runtime-function-error-type"
}
