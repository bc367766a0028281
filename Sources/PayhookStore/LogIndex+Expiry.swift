import PayhookLog

/// A segment retention deleted: its last seq and its newest record's receive time, kept
/// (16 bytes a segment) so that dedup entries and payment states it held can expire
/// `dedup_extra_days` after retention took it.
public struct RetiredSegment: Sendable, Equatable {
    public var lastSeq: UInt64
    public var newestMs: Int64
}

extension LogIndex {
    /// Dedup entries and payment states older than this go: their segments' newest record is
    /// more than `retentionDays + extraDays` old. `nil` when nothing is due. A pure function of
    /// the index and the clock, so the snapshot thread decides and the loop's index follows
    /// with `expire(through:)` (both hold the same retired list).
    public func expiryDue(nowMs: Int64, retentionDays: Int, extraDays: Int) -> UInt64? {
        guard retentionDays > 0 else { return nil }
        let cutoffMs = nowMs - Int64(retentionDays + extraDays) * 86_400_000
        // Retired segments are in seq order; their newest times are not (clock steps), so the
        // prefix that is due stops at the first one that is not: a later one never expires
        // entries of an earlier, younger one.
        var through: UInt64?
        for s in retired {
            guard s.newestMs < cutoffMs else { break }
            through = s.lastSeq
        }
        return through
    }

    /// Forgets every dedup entry first stored at a seq up to `seq`, every payment whose last
    /// event is at or before it (all its events left retention and the margin passed), and the
    /// retired segments behind them.
    public mutating func expire(through seq: UInt64) {
        guard retired.first.map({ $0.lastSeq <= seq }) == true else { return }
        dedupTable.expire(through: seq)
        payments.expire(through: seq)
        retired.removeAll { $0.lastSeq <= seq }
    }
}
