extension ContinuousClock.Instant {
    /// Milliseconds from now until this instant, clamped to `0...maximum` (librdkafka takes `int` timeouts).
    package func remainingMilliseconds(maximum: Int32 = Int32.max) -> Int32 {
        let remaining = self - ContinuousClock.now
        guard remaining > .zero else { return 0 }
        let (seconds, attoseconds) = remaining.components
        let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: min(milliseconds, Int64(maximum)))
    }

    package var hasPassed: Bool { self <= ContinuousClock.now }
}
