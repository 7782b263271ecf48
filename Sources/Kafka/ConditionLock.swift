#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A pthread mutex whose holders may wait on conditions (`Synchronization.Mutex` has none): for
/// threads that wait for work another thread does.
final class ConditionLock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    init() {
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }

    /// Releases the lock until `condition` is signalled or `deadline` passes, then takes it again.
    /// Call with the lock held; wakeups may be spurious, so callers check their state again.
    func wait(on condition: Condition, until deadline: ContinuousClock.Instant) {
        let remaining = deadline - ContinuousClock.now
        guard remaining > .zero else { return }
        let (seconds, attoseconds) = remaining.components
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let nanoseconds = Int64(now.tv_nsec) + attoseconds / 1_000_000_000
        var end = timespec()
        end.tv_sec = now.tv_sec + Int(min(seconds, 86_400) + nanoseconds / 1_000_000_000)
        end.tv_nsec = Int(nanoseconds % 1_000_000_000)
        pthread_cond_timedwait(condition.pointer, mutex, &end)
    }

    func withLock<R>(_ body: () throws -> R) rethrows -> R {
        lock()
        defer { unlock() }
        return try body()
    }
}

/// A condition variable (monotonic clock) to wait on with a `ConditionLock` held.
final class Condition: @unchecked Sendable {
    fileprivate let pointer = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(pointer, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(pointer)
        pointer.deallocate()
    }

    /// Wakes one waiting thread. Call with the lock held.
    func signal() { pthread_cond_signal(pointer) }
    /// Wakes every waiting thread. Call with the lock held.
    func broadcast() { pthread_cond_broadcast(pointer) }
}
