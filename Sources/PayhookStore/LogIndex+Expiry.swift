import PayhookLog

/// A segment retention deleted: its last seq and its newest record's receive time, kept
/// (16 bytes a segment) so that dedup entries and payment states it held can expire
/// `dedup_extra_days` after retention took it.
public struct RetiredSegment: Sendable, Equatable {
    public var lastSeq: UInt64
    public var newestMs: Int64

    /// The seq through which entries of `retired` (oldest first) are due to expire: their
    /// segments' newest record is more than `retentionDays + extraDays` old. `nil` when nothing
    /// is due. A pure function of the list and the clock, so the snapshot thread decides on its
    /// own list and the loop's index follows with an `ExpiryPass`.
    static func expiryDue(_ retired: [RetiredSegment], nowMs: Int64, retentionDays: Int, extraDays: Int) -> UInt64? {
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
}

/// One expiry of the loop's index through `through`, spread over turns of the loop: each turn
/// expires `shards` shards of both tables (`LogIndex.expire(_:shards:)`), so no turn scans the
/// whole index. A snapshot taken mid-pass holds some entries that are due and the retired
/// segments behind them (the list is pruned only when the pass completes): a restart from it
/// expires them again at start-up, so the result is the same.
public struct ExpiryPass: Sendable, Equatable {
    public let through: UInt64
    /// The next shard to expire.
    public fileprivate(set) var nextShard = 0

    public init(through: UInt64) { self.through = through }
}

extension ExpiryPass {
    /// Expires the next `shards` shards of both tables (whichever has fewer shards is done
    /// first); true when the pass covered every shard of both.
    mutating func step<A: ShardedIndexTable, B: ShardedIndexTable>(_ a: inout A, _ b: inout B, shards: Int) -> Bool {
        let total = max(a.shardCount, b.shardCount)
        let end = min(total, nextShard + max(1, shards))
        for i in nextShard..<end {
            if i < a.shardCount { a.expire(through: through, shard: i) }
            if i < b.shardCount { b.expire(through: through, shard: i) }
        }
        nextShard = end
        return end == total
    }
}

extension LogIndex {
    /// Shards per table the loop expires in one turn: at 65,536 shards a pass takes 256 turns;
    /// at 10M entries a turn scans about 40k of them (a few milliseconds).
    public static let expiryShardsPerTurn = 256

    /// See `RetiredSegment.expiryDue` (on this index's retired list).
    public func expiryDue(nowMs: Int64, retentionDays: Int, extraDays: Int) -> UInt64? {
        RetiredSegment.expiryDue(retired, nowMs: nowMs, retentionDays: retentionDays, extraDays: extraDays)
    }

    /// Expires the next `shards` shards of `pass`; true when the pass is complete (then the
    /// retired segments it covers are forgotten too).
    public mutating func expire(_ pass: inout ExpiryPass, shards: Int = expiryShardsPerTurn) -> Bool {
        guard pass.step(&dedupTable, &payments, shards: shards) else { return false }
        retired.removeAll { $0.lastSeq <= pass.through }
        return true
    }

    /// Forgets every dedup entry first stored at a seq up to `seq`, every payment whose last
    /// event is at or before it (all its events left retention and the margin passed), and the
    /// retired segments behind them, all at once (start-up, tests).
    public mutating func expire(through seq: UInt64) {
        guard retired.first.map({ $0.lastSeq <= seq }) == true else { return }
        var pass = ExpiryPass(through: seq)
        while !expire(&pass, shards: Int.max / 2) {}
    }
}
