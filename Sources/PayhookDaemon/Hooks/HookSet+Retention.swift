import PayhookLog

// Disk a hook holds back: retention (`storage.retention_days`) keeps every segment that some
// hook has not delivered or parked, so a hook that is down for days keeps the log growing. The
// operator must see which hook does it and how much (`/v1/hooks`, `payhook_hook_retention_held_*`).

extension HookSet {
    /// The segments retention would delete by age alone (old enough, not the active one, a
    /// prefix of the log) that a hook whose durable cursor still needs `lowSeq` keeps.
    static func retentionHeld(segments: [SegmentSummary], nowMs: Int64, retentionDays: Int, lowSeq: UInt64) -> (
        segments: Int, bytes: Int64
    ) {
        let old = LogRetention.eligible(
            segments: segments, nowMs: nowMs, retentionDays: retentionDays, snapshotSeq: .max, isDelivered: { _ in true })
        let held = old.filter { $0.lastSeq >= lowSeq }
        return (held.count, held.reduce(0) { $0 + $1.endOffset })
    }

    /// What `driver` holds back now.
    func retentionHeld(by driver: HookDriver) -> (segments: Int, bytes: Int64) {
        Self.retentionHeld(
            segments: store.index.segments, nowMs: clock.nowUnixMs(), retentionDays: retentionDays, lowSeq: driver.durableLowSeq)
    }
}
