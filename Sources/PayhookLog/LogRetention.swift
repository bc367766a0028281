/// Which segments retention may delete (`storage.retention_days`).
public enum LogRetention {
    static let dayMs: Int64 = 86_400_000

    /// The oldest segments, in order, that may all be deleted: a prefix of `segments` (the log
    /// never gets holes) whose every segment
    /// - is not the last one (the active segment is never deleted),
    /// - has its newest record older than `retentionDays` before `nowMs`,
    /// - is covered by the snapshot at `snapshotSeq` (so its dedup entries and payment states
    ///   survive: the dedup window outlives retention),
    /// - was delivered to every hook (`isDelivered(lastSeq)`).
    /// `retentionDays == 0` keeps everything.
    public static func eligible(
        segments: [SegmentSummary], nowMs: Int64, retentionDays: Int, snapshotSeq: UInt64,
        isDelivered: (UInt64) -> Bool
    ) -> [SegmentSummary] {
        guard retentionDays > 0 else { return [] }
        let cutoffMs = nowMs - Int64(retentionDays) * dayMs
        var out: [SegmentSummary] = []
        for s in segments.dropLast() {
            guard s.newestMs < cutoffMs, s.lastSeq <= snapshotSeq, isDelivered(s.lastSeq) else { break }
            out.append(s)
        }
        return out
    }
}
