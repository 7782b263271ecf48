import Foundation
import Testing
import TestSupport

/// 10,000 warm invocations on one bootstrap process: the process must neither restart nor grow.
/// Every 100th invocation is a real produce and consume, so the Kafka paths are in the loop too.
@Suite(.offCooperativePool, .tags(.slow), .onlyInSlowStep) struct SoakTests {
    static let invocations = 10_000
    static let kafkaEvery = 100

    @Test func tenThousandWarmInvocationsKeepOneProcessAndItsMemory() throws {
        let rig = try ReliabilityRig(timeoutSeconds: 30, bootstrap: diagnosticBootstrap)
        defer { rig.stop() }
        let topic = "soak-\(UUID().uuidString.prefix(8).lowercased())"
        let pid = try rig.emulator.bootstrapPID()
        var residentAfterWarmUp: Int?
        let started = Date()

        for index in 1...Self.invocations {
            if index % Self.kafkaEvery == 0 {
                let produced = try rig.emulator.invoke(#"{"action":"produce","topic":"\#(topic)","records":[{"key":"k\#(index)","value":{"n":\#(index)}}]}"#)
                #expect(produced.functionError == nil, "produce \(index): \(produced.text.prefix(300))")
                let consumed = try rig.emulator.invoke(#"{"action":"consume","topic":"\#(topic)","group_id":"soak","max_records":10,"timeout_ms":2000}"#)
                #expect(consumed.functionError == nil, "consume \(index): \(consumed.text.prefix(300))")
                #expect(try consumed.jsonObject()["count"] as? Int == 1, "consume \(index) should return the one new record")
            } else {
                let result = try rig.emulator.invoke(#"{"action":"diagnostic.context"}"#)
                #expect(result.status == 200 && result.functionError == nil, "invocation \(index): \(result.text.prefix(300))")
            }
            if index == 100 {
                residentAfterWarmUp = try Self.residentKilobytes(of: pid)
            }
            // Bounded in time as well as in count.
            try #require(Date().timeIntervalSince(started) < 600, "the soak took longer than 10 minutes")
        }

        let residentAtEnd = try Self.residentKilobytes(of: pid)
        let warm = try #require(residentAfterWarmUp)
        print("soak: invocations=\(Self.invocations) rss_after_100_kb=\(warm) rss_at_end_kb=\(residentAtEnd) seconds=\(Int(Date().timeIntervalSince(started)))")
        #expect(try rig.emulator.bootstrapPID() == pid, "the bootstrap was replaced during the soak")
        #expect(try rig.emulator.restarts() == 0)
        #expect(Double(residentAtEnd) <= Double(warm) * 1.10, "RSS grew from \(warm) kB to \(residentAtEnd) kB")
    }

    /// `VmRSS` of a process, in kB.
    static func residentKilobytes(of pid: Int) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let value = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") else {
            throw EmulatorHarnessError("no VmRSS for pid \(pid)")
        }
        return value
    }
}
