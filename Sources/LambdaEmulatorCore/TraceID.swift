/// X-Ray trace headers in the form Lambda passes to a runtime.
public enum TraceID {
    /// `Root=1-<8 hex epoch seconds>-<24 hex random>;Parent=<16 hex random>;Sampled=0`
    public static func generate<Generator: RandomNumberGenerator>(
        epochSeconds: UInt32, using generator: inout Generator
    ) -> String {
        let root = hex(UInt64(epochSeconds), digits: 8)
        let unique = hex(generator.next(upperBound: UInt64(1) << 32), digits: 8) + hex(generator.next(), digits: 16)
        let parent = hex(generator.next(), digits: 16)
        return "Root=1-\(root)-\(unique);Parent=\(parent);Sampled=0"
    }

    public static func generate(epochSeconds: UInt32) -> String {
        var generator = SystemRandomNumberGenerator()
        return generate(epochSeconds: epochSeconds, using: &generator)
    }

    private static func hex(_ value: UInt64, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
