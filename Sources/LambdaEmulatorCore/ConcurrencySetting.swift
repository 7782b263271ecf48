import Encoding

/// How many invocations the emulated execution environment serves at once.
public enum ConcurrencySetting {
    public static let variable = "AWS_LAMBDA_MAX_CONCURRENCY"

    /// `AWS_LAMBDA_MAX_CONCURRENCY` when it is an integer from 1 to 1024, else 1 (one at a time,
    /// as on-demand Lambda and RIE serve). An invalid value reaches the bootstrap unchanged, and
    /// the bootstrap reports it as its init error.
    public static func maxConcurrency(environment: [String: String]) -> Int {
        guard let text = environment[variable], let value = IntegerText.value(text, in: 1...1024) else { return 1 }
        return value
    }
}

/// The tenant id of an invocation of a function with tenant isolation.
public enum TenantID {
    /// The Invoke API's header (`aws lambda invoke --tenant-id`).
    public static let invokeHeader = "X-Amz-Tenant-Id"
    /// The Runtime API's header on `next`.
    public static let runtimeHeader = "Lambda-Runtime-Aws-Tenant-Id"

    /// 1 to 256 printable ASCII characters (no controls), so it travels safely as a header value.
    public static func isValid(_ value: String) -> Bool {
        (1...256).contains(value.utf8.count) && value.utf8.allSatisfy { (0x20...0x7E).contains($0) }
    }

    public static let invalid = LambdaErrorBody(
        errorMessage: "X-Amz-Tenant-Id must be 1 to 256 printable ASCII characters",
        errorType: "InvalidParameterValueException")
}

/// The figures of an invocation's `REPORT` line, as Lambda writes it to the function's log.
public struct InvocationReport: Sendable {
    public var requestID: String
    public var durationMilliseconds: Double
    public var memorySizeMB: Int
    public var maxMemoryUsedMB: Int?
    /// Only on the first invocation an execution environment serves.
    public var initDurationMilliseconds: Double?

    public init(requestID: String, durationMilliseconds: Double, memorySizeMB: Int, maxMemoryUsedMB: Int?,
                initDurationMilliseconds: Double?) {
        self.requestID = requestID
        self.durationMilliseconds = durationMilliseconds
        self.memorySizeMB = memorySizeMB
        self.maxMemoryUsedMB = maxMemoryUsedMB
        self.initDurationMilliseconds = initDurationMilliseconds
    }

    /// `REPORT RequestId: … Duration: 1.23 ms Billed Duration: 2 ms Memory Size: 128 MB Max Memory Used: 9 MB Init Duration: 4.56 ms`,
    /// fields separated by tabs as Lambda does.
    public var line: String {
        var fields = [
            "REPORT RequestId: \(requestID)",
            "Duration: \(Self.twoDecimals(durationMilliseconds)) ms",
            "Billed Duration: \(Int(durationMilliseconds.rounded(.up))) ms",
            "Memory Size: \(memorySizeMB) MB",
        ]
        if let maxMemoryUsedMB {
            fields.append("Max Memory Used: \(maxMemoryUsedMB) MB")
        }
        if let initDurationMilliseconds {
            fields.append("Init Duration: \(Self.twoDecimals(initDurationMilliseconds)) ms")
        }
        return fields.joined(separator: "\t")
    }

    /// The `VmHWM` (peak resident set) of a `/proc/<pid>/status` text, in MB rounded up.
    public static func peakResidentMB(procStatus: String) -> Int? {
        for line in procStatus.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let number = line.dropFirst("VmHWM:".count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first.flatMap { Int($0) }
            return number.map { ($0 + 1023) / 1024 }
        }
        return nil
    }

    private static func twoDecimals(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
