import Testing

@testable import LambdaRuntime

@Suite struct MaxConcurrencyTests {
    static let api = ["AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001"]

    @Test func unsetMeansOneLoop() throws {
        #expect(try RuntimeConfiguration(environment: Self.api).maxConcurrency == 1)
        #expect(try RuntimeConfiguration(environment: Self.api.merging(["AWS_LAMBDA_MAX_CONCURRENCY": ""]) { $1 }).maxConcurrency == 1)
    }

    @Test(arguments: ["1", "4", "64", "1024"])
    func acceptsAPositiveCount(_ text: String) throws {
        let configuration = try RuntimeConfiguration(environment: Self.api.merging(["AWS_LAMBDA_MAX_CONCURRENCY": text]) { $1 })
        #expect(configuration.maxConcurrency == Int(text))
    }

    @Test(arguments: ["0", "-2", "1025", "four", "2.5", " 4"])
    func refusesAnythingElseNamingTheVariable(_ text: String) {
        #expect {
            try RuntimeConfiguration(environment: Self.api.merging(["AWS_LAMBDA_MAX_CONCURRENCY": text]) { $1 })
        } throws: { error in
            "\(error)".contains("AWS_LAMBDA_MAX_CONCURRENCY")
        }
    }

    @Test func tenantIDComesFromItsHeader() throws {
        let context = try InvocationHeaders.context(
            from: [
                ("lambda-runtime-aws-request-id", "id-1"), ("lambda-runtime-deadline-ms", "1"),
                ("lambda-runtime-aws-tenant-id", "blue"),
            ],
            logger: .init(label: "test"))
        #expect(context.tenantID == "blue")
    }
}
