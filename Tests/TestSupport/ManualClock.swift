import PayhookCore
import Synchronization

/// A clock that moves only when told to, for timeouts, backoff and retention without sleeps.
/// Thread-safe: a test may advance it while a worker thread reads it.
public final class ManualClock: Clock, Sendable {
    private let state: Mutex<(wallMs: Int64, monoMs: Int64)>

    /// Starts at `wallMs` (Unix ms; default 2026-11-22T10:00:00Z) and monotonic `monoMs`.
    public init(wallMs: Int64 = 1_795_341_600_000, monoMs: Int64 = 1_000) {
        state = Mutex((wallMs, monoMs))
    }

    public func nowUnixMs() -> Int64 { state.withLock { $0.wallMs } }
    public func monotonicMs() -> Int64 { state.withLock { $0.monoMs } }

    /// Moves both clocks forward by `ms`.
    public func advance(ms: Int64) {
        precondition(ms >= 0, "a monotonic clock never goes backwards")
        state.withLock {
            $0.wallMs += ms
            $0.monoMs += ms
        }
    }

    /// Sets the wall clock only (as an NTP step would); the monotonic clock is unaffected.
    public func setWall(unixMs: Int64) { state.withLock { $0.wallMs = unixMs } }
}
