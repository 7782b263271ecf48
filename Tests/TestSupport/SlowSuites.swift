import Foundation
import Testing

extension Tag {
    /// A suite that takes minutes, or measures a time or CPU window that the parallel default run
    /// disturbs, and whose behaviour faster suites cover too. It runs in `scripts/test`'s slow step.
    @Tag public static var slow: Self
}

/// The slow step: `scripts/test` runs the suites the default run skipped as slow, with this set.
public enum SlowSuites {
    public static let variable = "LAMBDA_KAFKA_SLOW_TESTS"

    public static var requested: Bool {
        ProcessInfo.processInfo.environment[variable] == "1"
    }

    /// The reason a skipped slow suite shows in the default run; `scripts/test` reads it.
    public static let skipReason: Comment = "slow: runs in scripts/test's slow step (LAMBDA_KAFKA_SLOW_TESTS=1)"
}

extension Trait where Self == ConditionTrait {
    /// Keeps a slow suite out of the default `swift test`; `scripts/test` runs it afterwards in
    /// a step of its own, so CI still runs every test. Use with `.tags(.slow)`.
    public static var onlyInSlowStep: Self {
        .enabled(if: SlowSuites.requested, SlowSuites.skipReason)
    }
}
