import Glibc
import PayhookPosix
import TestSupport
import Testing

@testable import PayhookLog
@testable import PayhookStore

@Suite struct LogRetentionTests {
    private let day: Int64 = 86_400_000
    private let now: Int64 = 1_795_341_600_000

    private func segments(ages: [Int64]) -> [SegmentSummary] {
        ages.enumerated().map { i, ageDays in
            SegmentSummary(firstSeq: UInt64(i * 10 + 1), offsets: Array(repeating: 32, count: 10), endOffset: 100, newestMs: now - ageDays * day)
        }
    }

    @Test("only an old, snapshotted, delivered prefix is eligible; never the last segment")
    func eligibility() {
        let s = segments(ages: [100, 95, 10, 100, 200])
        let all = LogRetention.eligible(segments: s, nowMs: now, retentionDays: 90, snapshotSeq: 1000, isDelivered: { _ in true })
        #expect(all.map(\.firstSeq) == [1, 11])
        let undelivered = LogRetention.eligible(segments: s, nowMs: now, retentionDays: 90, snapshotSeq: 1000, isDelivered: { $0 < 20 })
        #expect(undelivered.map(\.firstSeq) == [1])
        let unsnapshotted = LogRetention.eligible(segments: s, nowMs: now, retentionDays: 90, snapshotSeq: 15, isDelivered: { _ in true })
        #expect(unsnapshotted.map(\.firstSeq) == [1])
        let onlyLastOld = segments(ages: [200])
        #expect(LogRetention.eligible(segments: onlyLastOld, nowMs: now, retentionDays: 90, snapshotSeq: 1000, isDelivered: { _ in true }).isEmpty)
        #expect(LogRetention.eligible(segments: s, nowMs: now, retentionDays: 0, snapshotSeq: 1000, isDelivered: { _ in true }).isEmpty)
    }

    @Test("retention_days boundary: newest record exactly N days old stays, one ms older goes")
    func boundary() {
        var s = segments(ages: [90, 0])
        #expect(LogRetention.eligible(segments: s, nowMs: now, retentionDays: 90, snapshotSeq: 100, isDelivered: { _ in true }).isEmpty)
        s[0].newestMs -= 1
        #expect(LogRetention.eligible(segments: s, nowMs: now, retentionDays: 90, snapshotSeq: 100, isDelivered: { _ in true }).count == 1)
    }

    @Test("maintenance deletes expired segments, keeps the active one, and dedup survives a restart")
    func endToEnd() throws {
        let clock = ManualClock(wallMs: now)
        var options = Fixtures.options(segmentBytes: 1024, clock: clock)
        options.retentionDays = 90
        let log = try TestLog(options: options)
        defer { log.dir.remove() }
        log.append((1...8).map { Fixtures.payload($0, receivedAtMs: now - 100 * day) })
        let before = log.segmentPaths()
        #expect(before.count >= 3)
        clock.advance(ms: day)
        log.writer.requestMaintenance(log.index)
        while log.writer.retiredThroughSeq == 0 { usleep(1000) }
        let after = log.segmentPaths()
        #expect(after == [before.last!])
        log.close()
        let again = try TestLog(dir: log.dir, options: options)
        defer { again.close() }
        #expect(again.index.dedup(id: Fixtures.event(1).id) == 1)
        #expect(again.index.lookup(source: "noventiq", paymentID: "p1")?.status == .succeeded)
        #expect(try again.opened.reader.read(seq: 1, index: again.index) == nil)
        #expect(again.append([Fixtures.payload(9)]).first?.seq == 9)
    }
}
