import Logging
import Testing

@testable import LambdaRuntime

@Suite struct RuntimeConfigurationTests {
    @Test func readsTheLambdaVariables() throws {
        let configuration = try RuntimeConfiguration(environment: [
            "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001",
            "AWS_LAMBDA_LOG_FORMAT": "JSON",
            "AWS_LAMBDA_LOG_LEVEL": "WARN",
        ])
        #expect(configuration.runtimeAPI == "127.0.0.1:9001")
        #expect(configuration.logFormat == .json)
        #expect(configuration.logLevel == .warning)
        #expect(configuration.unrecognisedLogLevel == nil)
    }

    @Test func defaultsToTextAtInfo() throws {
        let configuration = try RuntimeConfiguration(environment: ["AWS_LAMBDA_RUNTIME_API": "localhost:8080"])
        #expect(configuration.logFormat == .text)
        #expect(configuration.logLevel == .info)
    }

    @Test func anUnknownLevelFallsBackToInfoAndIsReported() throws {
        let configuration = try RuntimeConfiguration(environment: [
            "AWS_LAMBDA_RUNTIME_API": "localhost:8080", "AWS_LAMBDA_LOG_LEVEL": "VERBOSE",
        ])
        #expect(configuration.logLevel == .info)
        #expect(configuration.unrecognisedLogLevel == "VERBOSE")
    }

    @Test(arguments: [[:], ["AWS_LAMBDA_RUNTIME_API": ""], ["AWS_LAMBDA_RUNTIME_API": "host:1/path"]])
    func aMissingOrMalformedEndpointIsAnError(_ environment: [String: String]) {
        #expect(throws: RuntimeConfigurationError.self) {
            try RuntimeConfiguration(environment: environment)
        }
    }
}
