#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Capped exponential delays between attempts: `initial`, doubled each time, never above `cap`.
public struct Backoff: Sendable {
    public let initial: Duration
    public let cap: Duration
    private var current: Duration

    public init(initial: Duration = .milliseconds(10), cap: Duration = .seconds(1)) {
        self.initial = initial
        self.cap = cap
        self.current = initial
    }

    public mutating func nextDelay() -> Duration {
        let delay = current
        current = min(cap, current * 2)
        return delay
    }

    public mutating func reset() {
        current = initial
    }
}

package enum Pause {
    /// Blocks the calling thread (through signals); the run loop has nothing else to do meanwhile.
    package static func sleep(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR {
            request = remaining
        }
    }
}
