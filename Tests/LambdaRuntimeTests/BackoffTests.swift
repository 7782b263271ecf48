import Testing

@testable import LambdaRuntime

@Suite struct BackoffTests {
    @Test func doublesFromTheInitialDelayUpToTheCap() {
        var backoff = Backoff(initial: .milliseconds(10), cap: .seconds(1))
        let delays = (0..<10).map { _ in backoff.nextDelay() }
        #expect(delays == [10, 20, 40, 80, 160, 320, 640, 1000, 1000, 1000].map { Duration.milliseconds($0) })
        backoff.reset()
        #expect(backoff.nextDelay() == .milliseconds(10))
    }

    @Test func retryLogsAreThrottledAndCountWhatWasLeftOut() {
        var throttle = RetryLogThrottle(interval: .seconds(5))
        let start = ContinuousClock.now
        #expect(throttle.shouldLog(now: start) == 0)
        #expect(throttle.shouldLog(now: start + .seconds(1)) == nil)
        #expect(throttle.shouldLog(now: start + .seconds(4)) == nil)
        #expect(throttle.shouldLog(now: start + .seconds(5)) == 2)
        #expect(throttle.shouldLog(now: start + .seconds(6)) == nil)
        #expect(throttle.shouldLog(now: start + .seconds(11)) == 1)
    }
}
