/// Time, injected so that state machines (timeouts, backoff, retention) are tested without sleeps.
public protocol Clock: Sendable {
    /// Wall-clock time, Unix milliseconds (receive times, retention).
    func nowUnixMs() -> Int64
    /// Monotonic time in milliseconds (deadlines, durations); never goes backwards.
    func monotonicMs() -> Int64
}
