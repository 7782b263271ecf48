import LambdaEmulatorCore
import Testing

@Suite struct LambdaEnvironmentTests {
    @Test func addsLambdasVariablesToTheInheritedOnes() {
        let environment = LambdaEnvironment.make(
            inherited: ["PATH": "/usr/bin"], runtimeAPI: "127.0.0.1:9001", timeoutSeconds: 3, taskRoot: "/var/task")
        #expect(environment["PATH"] == "/usr/bin")
        #expect(environment["AWS_LAMBDA_RUNTIME_API"] == "127.0.0.1:9001")
        #expect(environment["AWS_LAMBDA_FUNCTION_NAME"] == "function")
        #expect(environment["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST")
        #expect(environment["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "3008")
        #expect(environment["AWS_LAMBDA_FUNCTION_TIMEOUT"] == "3")
        #expect(environment["AWS_REGION"] == "us-east-1")
        #expect(environment["AWS_DEFAULT_REGION"] == "us-east-1")
        #expect(environment["LAMBDA_TASK_ROOT"] == "/var/task")
        #expect(environment["_HANDLER"] != nil)
    }

    @Test func keepsInheritedValuesButAlwaysSetsTheRuntimeAPIAndTimeout() {
        let environment = LambdaEnvironment.make(
            inherited: [
                "AWS_LAMBDA_FUNCTION_NAME": "orders", "AWS_REGION": "eu-west-1", "_HANDLER": "main",
                "AWS_LAMBDA_RUNTIME_API": "elsewhere:1", "AWS_LAMBDA_FUNCTION_TIMEOUT": "900",
            ],
            runtimeAPI: "127.0.0.1:9001", timeoutSeconds: 1.5, taskRoot: "/t")
        #expect(environment["AWS_LAMBDA_FUNCTION_NAME"] == "orders")
        #expect(environment["AWS_REGION"] == "eu-west-1")
        #expect(environment["AWS_DEFAULT_REGION"] == "eu-west-1")
        #expect(environment["_HANDLER"] == "main")
        #expect(environment["AWS_LAMBDA_RUNTIME_API"] == "127.0.0.1:9001")
        #expect(environment["AWS_LAMBDA_FUNCTION_TIMEOUT"] == "2")
        #expect(LambdaEnvironment.functionARN(environment: environment)
            == "arn:aws:lambda:eu-west-1:012345678912:function:orders")
    }

    @Test func timeoutComesFromTheOptionThenTheEnvironmentThenRIEsDefault() {
        #expect(LambdaEnvironment.timeoutSeconds(option: 5, inherited: ["AWS_LAMBDA_FUNCTION_TIMEOUT": "60"]) == 5)
        #expect(LambdaEnvironment.timeoutSeconds(option: nil, inherited: ["AWS_LAMBDA_FUNCTION_TIMEOUT": "60"]) == 60)
        #expect(LambdaEnvironment.timeoutSeconds(option: nil, inherited: ["AWS_LAMBDA_FUNCTION_TIMEOUT": "x"]) == 300)
        #expect(LambdaEnvironment.timeoutSeconds(option: nil, inherited: [:]) == 300)
    }
}
