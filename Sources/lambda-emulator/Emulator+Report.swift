import Foundation
import LambdaEmulatorCore
import NIOCore

extension Emulator {
    /// Writes Lambda's `REPORT` line for an answered invocation; the first one of a bootstrap
    /// process carries its `Init Duration` (start until its first `next`).
    func logReport(_ invocation: Invocation, milliseconds: Double) {
        var initMilliseconds: Double?
        if !incarnation.initDurationReported, let initDuration = incarnation.initDuration {
            incarnation.initDurationReported = true
            initMilliseconds = Double(initDuration.nanoseconds) / 1_000_000
        }
        let report = InvocationReport(
            requestID: invocation.requestID, durationMilliseconds: milliseconds,
            memorySizeMB: Int(configuration.environment["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] ?? "") ?? 3008,
            maxMemoryUsedMB: process.flatMap { Self.peakResidentMB(pid: $0.pid) },
            initDurationMilliseconds: initMilliseconds)
        log(report.line)
    }

    private static func peakResidentMB(pid: pid_t) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        return InvocationReport.peakResidentMB(procStatus: status)
    }
}
