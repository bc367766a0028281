import Glibc
import PayhookCore
import PayhookLog
import PayhookStore
import TestSupport
import Testing

@testable import PayhookDaemon

/// Bounded dedup as ingest sees it: a resend is a duplicate while its original is within
/// retention + `dedup_extra_days`, and new once that passed; the payment's status answers until
/// then. Real log, real ingest route, manual clock.
@Suite struct EventStoreDedupExpiryTests {
    private let day = ExpiryFixtures.day
    private let now = ExpiryFixtures.now

    @Test("margin N: at retention + N + 1 days a resend is new with N = 30, still a duplicate with N = 31", arguments: [30, 31])
    func resendAcrossTheMargin(extraDays: Int) throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let clock = ManualClock(wallMs: now)
        let store = try ExpiryFixtures.store(dir, extraDays: extraDays, clock: clock)
        let route = try IngestFixtures.route(store, dir: dir)
        for order in 1...8 {
            #expect(ExpiryFixtures.ingest(store, route, order, at: now - 100 * day).map { if case .stored = $0 { true } else { false } } == true)
        }
        #expect(ExpiryFixtures.ingest(store, route, 9, at: now).map { if case .stored = $0 { true } else { false } } == true)
        store.requestMaintenance()
        for _ in 0..<10_000 where store.writer.retiredThroughSeq == 0 { usleep(1_000) }
        store.collect()
        #expect(store.writer.retiredThroughSeq > 0)
        // Past retention, within the margin: the status answers and a resend is a duplicate.
        #expect(store.status(source: "noventiq", paymentID: "1") == .succeeded)
        guard case .duplicate(_, of: 1, _) = ExpiryFixtures.ingest(store, route, 1, at: now) else {
            Issue.record("a resend within the margin is a duplicate of seq 1")
            return
        }

        clock.advance(ms: 21 * day)  // 121 days after the old events
        store.shutdown()  // its final maintenance decides expiry; joined here
        while store.stepExpiry() {}  // the loop's turns
        let gone = extraDays == 30
        #expect((store.writer.expiredThroughSeq > 0) == gone)
        #expect((store.index.lookup(source: "noventiq", paymentID: "1") == nil) == gone)
        #expect(store.index.lookup(source: "noventiq", paymentID: "9") != nil)

        let again = try ExpiryFixtures.store(dir, extraDays: extraDays, clock: clock)
        defer { again.shutdown() }
        let route2 = try IngestFixtures.route(again, dir: dir)
        #expect((again.status(source: "noventiq", paymentID: "2") == nil) == gone)
        switch ExpiryFixtures.ingest(again, route2, 2, at: clock.nowUnixMs()) {
        case .stored: #expect(gone, "stored as new only past the margin")
        case .duplicate(_, of: 2, _): #expect(!gone, "a duplicate only within the margin")
        case let other: Issue.record("unexpected \(String(describing: other))")
        }
    }
}
