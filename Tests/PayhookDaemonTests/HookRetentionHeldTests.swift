import PayhookLog
import Testing

@testable import PayhookDaemon

@Suite struct HookRetentionHeldTests {
    static let day: Int64 = 86_400_000
    static let now: Int64 = 100 * day

    /// Three segments of 10 records each, the first two 5 days old, the last the active one.
    static let segments = [
        SegmentSummary(firstSeq: 1, offsets: Array(repeating: 0, count: 10), endOffset: 1000, newestMs: now - 5 * day),
        SegmentSummary(firstSeq: 11, offsets: Array(repeating: 0, count: 10), endOffset: 2000, newestMs: now - 5 * day),
        SegmentSummary(firstSeq: 21, offsets: Array(repeating: 0, count: 10), endOffset: 4000, newestMs: now),
    ]

    @Test func aHookBehindHoldsBackTheOldSegmentsItStillNeeds() {
        // Still needs seq 5: both old segments stay for it.
        let all = HookSet.retentionHeld(segments: Self.segments, nowMs: Self.now, retentionDays: 1, lowSeq: 5)
        #expect(all.segments == 2 && all.bytes == 3000)
        // Needs seq 11 onwards: the first could go, the second stays.
        let one = HookSet.retentionHeld(segments: Self.segments, nowMs: Self.now, retentionDays: 1, lowSeq: 11)
        #expect(one.segments == 1 && one.bytes == 2000)
        // Past both old segments: the active one is never deleted, so nothing is held.
        let none = HookSet.retentionHeld(segments: Self.segments, nowMs: Self.now, retentionDays: 1, lowSeq: 21)
        #expect(none.segments == 0 && none.bytes == 0)
    }

    @Test func segmentsYoungerThanRetentionAreNotHeldByAHook() {
        // retention_days 6: the 5-day-old segments would stay anyway.
        let held = HookSet.retentionHeld(segments: Self.segments, nowMs: Self.now, retentionDays: 6, lowSeq: 1)
        #expect(held.segments == 0)
        // retention_days 0 keeps everything: no hook is to blame.
        #expect(HookSet.retentionHeld(segments: Self.segments, nowMs: Self.now, retentionDays: 0, lowSeq: 1).segments == 0)
    }
}
