import CLinuxShim
import PayhookCore

/// The real clock: `CLOCK_REALTIME` and `CLOCK_MONOTONIC`. The corresponding C function is
/// `clock_gettime`.
public struct SystemClock: Clock {
    public init() {}
    public func nowUnixMs() -> Int64 { cshim_realtime_ms() }
    public func monotonicMs() -> Int64 { Int64(cshim_monotonic_ns() / 1_000_000) }
}
