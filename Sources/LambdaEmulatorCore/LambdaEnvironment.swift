/// The environment the emulator gives the bootstrap: the inherited one plus Lambda's reserved variables.
public enum LambdaEnvironment {
    public static let defaultTimeoutSeconds = 300.0

    /// `--timeout` when given, else `AWS_LAMBDA_FUNCTION_TIMEOUT`, else RIE's 300 seconds.
    public static func timeoutSeconds(option: Double?, inherited: [String: String]) -> Double {
        if let option { return option }
        if let text = inherited["AWS_LAMBDA_FUNCTION_TIMEOUT"], let value = Double(text), value > 0 {
            return value
        }
        return defaultTimeoutSeconds
    }

    /// `runtimeAPI` and the timeout always win; the other variables keep an inherited value.
    public static func make(
        inherited: [String: String], runtimeAPI: String, timeoutSeconds: Double, taskRoot: String
    ) -> [String: String] {
        var environment = inherited
        environment["AWS_LAMBDA_RUNTIME_API"] = runtimeAPI
        environment["AWS_LAMBDA_FUNCTION_TIMEOUT"] = String(Int(timeoutSeconds.rounded(.up)))
        let functionName = inherited["AWS_LAMBDA_FUNCTION_NAME"] ?? "function"
        let defaults = [
            "AWS_LAMBDA_FUNCTION_NAME": functionName,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "3008",
            "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/\(functionName)",
            "AWS_LAMBDA_LOG_STREAM_NAME": "$LATEST",
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_REGION": inherited["AWS_DEFAULT_REGION"] ?? "us-east-1",
            "AWS_DEFAULT_REGION": inherited["AWS_REGION"] ?? "us-east-1",
            "_HANDLER": "bootstrap",
            "LAMBDA_TASK_ROOT": taskRoot,
            "LAMBDA_RUNTIME_DIR": taskRoot,
        ]
        for (name, value) in defaults where environment[name] == nil {
            environment[name] = value
        }
        return environment
    }

    /// The ARN Lambda passes in `Lambda-Runtime-Invoked-Function-Arn` (RIE's fake account id).
    public static func functionARN(environment: [String: String]) -> String {
        let region = environment["AWS_REGION"] ?? "us-east-1"
        let name = environment["AWS_LAMBDA_FUNCTION_NAME"] ?? "function"
        return "arn:aws:lambda:\(region):012345678912:function:\(name)"
    }
}
