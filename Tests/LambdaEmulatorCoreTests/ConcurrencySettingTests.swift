import Testing

@testable import LambdaEmulatorCore

@Suite struct ConcurrencySettingTests {
    @Test func oneUnlessAValidCountIsGiven() {
        #expect(ConcurrencySetting.maxConcurrency(environment: [:]) == 1)
        #expect(ConcurrencySetting.maxConcurrency(environment: ["AWS_LAMBDA_MAX_CONCURRENCY": "8"]) == 8)
        #expect(ConcurrencySetting.maxConcurrency(environment: ["AWS_LAMBDA_MAX_CONCURRENCY": "0"]) == 1)
        #expect(ConcurrencySetting.maxConcurrency(environment: ["AWS_LAMBDA_MAX_CONCURRENCY": "x"]) == 1)
    }

    @Test func tenantIDsAreShortPrintableASCII() {
        #expect(TenantID.isValid("blue"))
        #expect(TenantID.isValid("tenant:42/eu-west-1"))
        #expect(!TenantID.isValid(""))
        #expect(!TenantID.isValid("a\u{7}b"))
        #expect(!TenantID.isValid("ü"))
        #expect(!TenantID.isValid(String(repeating: "t", count: 257)))
    }

    @Test func reportLineHasLambdasFieldsAndInitDurationOnlyWhenGiven() {
        var report = InvocationReport(
            requestID: "r-1", durationMilliseconds: 12.345, memorySizeMB: 128, maxMemoryUsedMB: 9,
            initDurationMilliseconds: 3.5)
        #expect(report.line == "REPORT RequestId: r-1\tDuration: 12.35 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 9 MB\tInit Duration: 3.50 ms")
        report.initDurationMilliseconds = nil
        report.maxMemoryUsedMB = nil
        #expect(report.line == "REPORT RequestId: r-1\tDuration: 12.35 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB")
    }

    @Test func peakResidentSetComesFromVmHWM() {
        let status = "Name:\tbootstrap\nVmPeak:\t  100000 kB\nVmHWM:\t    9217 kB\nVmRSS:\t    9000 kB\n"
        #expect(InvocationReport.peakResidentMB(procStatus: status) == 10)
        #expect(InvocationReport.peakResidentMB(procStatus: "Name:\tx\n") == nil)
    }
}

@Suite struct StreamingRouteTests {
    @Test func theStreamingInvokeRouteIsRecognised() {
        #expect(EmulatorRoute(method: "POST", uri: "/2021-11-15/functions/function/response-streaming-invocations")
            == .streamingInvoke(functionName: "function"))
        #expect(EmulatorRoute(method: "GET", uri: "/2021-11-15/functions/function/response-streaming-invocations") == nil)
        #expect(EmulatorRoute(method: "POST", uri: "/2021-11-15/functions/function/invocations") == nil)
    }
}
