import LambdaEmulatorCore
import Testing

@Suite struct TraceIDTests {
    private func isLowercaseHex(_ text: Substring, count: Int) -> Bool {
        text.count == count && text.allSatisfy { "0123456789abcdef".contains($0) }
    }

    @Test func hasXRaysFormatWithTheGivenTime() throws {
        let trace = TraceID.generate(epochSeconds: 0x5f5e_1000)
        let parts = trace.split(separator: ";")
        try #require(parts.count == 3)
        #expect(parts[0].hasPrefix("Root=1-5f5e1000-"))
        #expect(isLowercaseHex(parts[0].dropFirst("Root=1-5f5e1000-".count), count: 24))
        #expect(parts[1].hasPrefix("Parent="))
        #expect(isLowercaseHex(parts[1].dropFirst("Parent=".count), count: 16))
        #expect(parts[2] == "Sampled=0")
    }

    @Test func padsSmallValues() {
        let trace = TraceID.generate(epochSeconds: 1)
        #expect(trace.hasPrefix("Root=1-00000001-"))
    }

    @Test func differsBetweenCalls() {
        #expect(TraceID.generate(epochSeconds: 1) != TraceID.generate(epochSeconds: 1))
    }
}
