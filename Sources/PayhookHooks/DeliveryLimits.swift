/// Every bound and interval of one hook's delivery, in one place; units last. Each has a default
/// and a range (`ranges`), for the `[[hooks]]` config keys of the same names (wired later).
public struct DeliveryLimits: Sendable, Equatable {
    /// Attempts in flight at once (`max_in_flight`). Default 4, range 1 ... 1024.
    public var maxInFlight: Int
    /// Delay before the first retry (`retry_first_ms`); the n-th waits up to 2^(n-1) times it.
    /// Default 1 s, range 100 ms ... 60 s.
    public var retryFirstMs: Int64
    /// Longest wait between attempts, Retry-After included (`retry_max_interval_ms`).
    /// Default 10 min, range retryFirstMs ... 24 h.
    public var retryMaxIntervalMs: Int64
    /// Time from an event's first attempt after which a failure parks it (`retry_max_age_ms`).
    /// Default 72 h, range 0 ... 30 days.
    public var retryMaxAgeMs: Int64
    /// Events accepted but not in flight (held behind a failing payment, waiting for a slot or a
    /// retry) before the scanner pauses (`max_held_events`). Memory is bounded by it (measured:
    /// some 570 bytes an entry with 50-byte ids, 56 MB at the default); nothing is dropped. Default 100,000,
    /// range 1 ... 10,000,000.
    public var maxHeldEvents: Int
    /// Completions (delivered or parked) after which the cursor is written (`cursor_every_acks`).
    /// Default 1,000, range 1 ... 1,000,000.
    public var cursorEveryAcks: Int
    /// Longest time a change of progress stays unsaved (`cursor_every_ms`): bounds what a crash
    /// resends beyond what was pending. Default 1 s, range 10 ms ... 60 s.
    public var cursorEveryMs: Int64

    public init(
        maxInFlight: Int = 4, retryFirstMs: Int64 = 1_000, retryMaxIntervalMs: Int64 = 600_000,
        retryMaxAgeMs: Int64 = 72 * 3_600_000, maxHeldEvents: Int = 100_000, cursorEveryAcks: Int = 1_000,
        cursorEveryMs: Int64 = 1_000
    ) {
        self.maxInFlight = maxInFlight
        self.retryFirstMs = retryFirstMs
        self.retryMaxIntervalMs = retryMaxIntervalMs
        self.retryMaxAgeMs = retryMaxAgeMs
        self.maxHeldEvents = maxHeldEvents
        self.cursorEveryAcks = cursorEveryAcks
        self.cursorEveryMs = cursorEveryMs
        precondition(outOfRange == nil, "delivery limit out of range: \(outOfRange ?? "")")
    }

    /// The name of the first value outside its range, or nil when all are within.
    public var outOfRange: String? {
        if !(1...1024).contains(maxInFlight) { return "max_in_flight" }
        if !(100...60_000).contains(retryFirstMs) { return "retry_first_ms" }
        if !(retryFirstMs...86_400_000).contains(retryMaxIntervalMs) { return "retry_max_interval_ms" }
        if !(0...30 * 86_400_000).contains(retryMaxAgeMs) { return "retry_max_age_ms" }
        if !(1...10_000_000).contains(maxHeldEvents) { return "max_held_events" }
        if !(1...1_000_000).contains(cursorEveryAcks) { return "cursor_every_acks" }
        if !(10...60_000).contains(cursorEveryMs) { return "cursor_every_ms" }
        return nil
    }
}
