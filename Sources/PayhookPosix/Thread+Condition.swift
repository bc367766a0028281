import Glibc

/// A mutex with a condition variable, for a queue whose consumer thread sleeps until work
/// arrives (`Synchronization.Mutex` has no wait). The corresponding C functions are
/// `pthread_mutex_lock` and `pthread_cond_wait`.
public final class ConditionLock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let cond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    public init() {
        precondition(pthread_mutex_init(mutex, nil) == 0)
        precondition(pthread_cond_init(cond, nil) == 0)
    }

    deinit {
        pthread_cond_destroy(cond)
        pthread_mutex_destroy(mutex)
        cond.deallocate()
        mutex.deallocate()
    }

    public func lock() { precondition(pthread_mutex_lock(mutex) == 0) }
    public func unlock() { precondition(pthread_mutex_unlock(mutex) == 0) }

    /// Releases the lock, sleeps until signalled, retakes the lock. Callers loop on their predicate
    /// (wakeups may be spurious).
    public func wait() { precondition(pthread_cond_wait(cond, mutex) == 0) }

    /// `wait()` for at most `timeoutMs` (a spurious or timed-out wakeup looks the same: callers
    /// re-check their predicate and their deadline). The corresponding C function is
    /// `pthread_cond_timedwait` (CLOCK_REALTIME, the condition's default clock).
    public func wait(timeoutMs: Int64) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let ns = Int64(now.tv_nsec) + (timeoutMs % 1000) * 1_000_000
        var deadline = timespec(tv_sec: now.tv_sec + Int(timeoutMs / 1000) + Int(ns / 1_000_000_000), tv_nsec: Int(ns % 1_000_000_000))
        _ = pthread_cond_timedwait(cond, mutex, &deadline)
    }

    public func signal() { _ = pthread_cond_signal(cond) }
    public func broadcast() { _ = pthread_cond_broadcast(cond) }

    public func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock()
        defer { unlock() }
        return try body()
    }
}
