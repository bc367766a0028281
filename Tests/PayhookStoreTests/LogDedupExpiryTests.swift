import Glibc
import PayhookPosix
import TestSupport
import Testing

@testable import PayhookLog
@testable import PayhookStore

/// Bounded dedup: entries, and payments whose events all left retention, go `dedup_extra_days`
/// after retention took their segments; a restart (snapshot + replay) agrees.
@Suite struct LogDedupExpiryTests {
    private let day: Int64 = 86_400_000
    private let now: Int64 = 1_795_341_600_000

    private func options(extraDays: Int, clock: ManualClock) -> LogOptions {
        var o = Fixtures.options(segmentBytes: 1024, clock: clock)
        o.retentionDays = 90
        o.dedupExtraDays = extraDays
        return o
    }

    /// p1...p8 100 days old (retired), then p2 again today (it keeps the payment alive).
    private func fill(_ log: TestLog) {
        log.append((1...8).map { Fixtures.payload($0, receivedAtMs: now - 100 * day) })
        log.append([Fixtures.payload(9, payment: "p2", status: .refunded, receivedAtMs: now)], firstTicket: 9)
    }

    /// The loop's side of `EventStore.dropRetired`.
    private func follow(_ log: TestLog) {
        let expired = log.writer.expiredThroughSeq
        log.index.dropSegments(through: log.writer.retiredThroughSeq)
        if expired > 0 { log.index.expire(through: expired) }
    }

    private func wait(_ done: () -> Bool) {
        for _ in 0..<10_000 where !done() { usleep(1000) }
    }

    @Test("a margin of N days: entries stay at retention + N days, go one day later; restart agrees", arguments: [30, 31])
    func margin(extraDays: Int) throws {
        let clock = ManualClock(wallMs: now)
        let o = options(extraDays: extraDays, clock: clock)
        let log = try TestLog(options: o)
        defer { log.dir.remove() }
        fill(log)
        log.writer.requestMaintenance(log.index)
        wait { log.writer.retiredThroughSeq > 0 }
        follow(log)
        // Past retention, within the margin: dedup and the last status still answer.
        #expect(log.writer.retiredThroughSeq > 0)
        #expect(try log.opened.reader.read(seq: 1, index: log.index) == nil)
        #expect(log.index.dedup(id: Fixtures.event(1).id) == 1)
        #expect(log.index.lookup(source: "noventiq", paymentID: "p1")?.status == .succeeded)
        #expect(log.writer.expiredThroughSeq == 0)

        // 121 days after the old records: past retention + 30 days, not past retention + 31.
        clock.advance(ms: 21 * day)
        log.close()  // the final maintenance applies retention and expiry
        let again = try TestLog(dir: log.dir, options: o)
        defer { again.close() }
        let gone = extraDays == 30
        #expect((again.index.dedup(id: Fixtures.event(1).id) == nil) == gone)
        #expect((again.index.lookup(source: "noventiq", paymentID: "p1") == nil) == gone)
        #expect(again.index.retired.isEmpty == gone)
        // A payment with a live event stays, with its newest status; the live event's dedup too.
        #expect(again.index.lookup(source: "noventiq", paymentID: "p2")?.status == .refunded)
        #expect(again.index.dedup(id: Fixtures.event(9, payment: "p2", status: .refunded).id) == 9)
        if !gone {
            clock.advance(ms: day)
            again.writer.requestMaintenance(again.index)
            wait { again.writer.expiredThroughSeq > 0 }
            follow(again)
            #expect(again.index.dedup(id: Fixtures.event(1).id) == nil)
            #expect(again.index.lookup(source: "noventiq", paymentID: "p1") == nil)
            #expect(again.index.lookup(source: "noventiq", paymentID: "p2")?.status == .refunded)
        }
    }

    @Test("a snapshot carries the retired segments; expiry is due only past retention + margin")
    func snapshotRoundTrip() throws {
        var index = LogIndex()
        index.retired = [RetiredSegment(lastSeq: 4, newestMs: now - 100 * day), RetiredSegment(lastSeq: 9, newestMs: now)]
        let decoded = try IndexSnapshot.decode(IndexSnapshot.encode(index))
        #expect(decoded == index)
        // Exactly retention + margin old stays (as retention's own boundary); a day less of margin expires it.
        #expect(decoded.expiryDue(nowMs: now, retentionDays: 90, extraDays: 10) == nil)
        #expect(decoded.expiryDue(nowMs: now + 1, retentionDays: 90, extraDays: 10) == 4)
        #expect(decoded.expiryDue(nowMs: now, retentionDays: 90, extraDays: 9) == 4)
        #expect(decoded.expiryDue(nowMs: now, retentionDays: 90, extraDays: 0) == 4)
        #expect(decoded.expiryDue(nowMs: now - 1, retentionDays: 50, extraDays: 50) == nil)
        #expect(decoded.expiryDue(nowMs: now, retentionDays: 0, extraDays: 0) == nil)
    }
}
