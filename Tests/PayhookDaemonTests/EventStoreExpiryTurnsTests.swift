import Glibc
import PayhookCore
import PayhookLog
import PayhookStore
import TestSupport
import Testing

@testable import PayhookDaemon

/// Expiry on the loop runs in turns: collecting the worker's decision only starts a pass; the
/// turns (`stepExpiry`) expire the index and then let the console's search prune itself.
@Suite struct EventStoreExpiryTurnsTests {
    private let day = ExpiryFixtures.day
    private let now = ExpiryFixtures.now

    @Test("collect starts a pass and asks for turns; the turns expire the index, then the search prunes until done")
    func expiryInTurns() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let clock = ManualClock(wallMs: now)
        let store = try ExpiryFixtures.store(dir, extraDays: 10, clock: clock)
        defer { store.shutdown() }
        let route = try IngestFixtures.route(store, dir: dir)
        for order in 1...8 { ExpiryFixtures.ingest(store, route, order, at: now - 200 * day) }
        ExpiryFixtures.ingest(store, route, 9, at: now)
        var pendingCalls = 0
        var expiredCalls = 0
        var search = PaymentSearchIndex()
        search.build(from: store.index)
        #expect(search.find("1", limit: 5, in: store.index).count == 1)
        store.onExpiryPending = { pendingCalls += 1 }
        store.onPaymentsExpired = {
            expiredCalls += 1
            search.startPrune()
        }
        store.onExpiryTurn = { search.prune(in: store.index) }

        store.requestMaintenance()
        for _ in 0..<10_000 where store.writer.expiredThroughSeq == 0 { usleep(1_000) }
        #expect(store.writer.expiredThroughSeq > 0)
        store.collect()
        // Started, not done: the entries are still there until the turns run.
        #expect(pendingCalls == 1)
        #expect(store.expiryPass != nil)
        #expect(store.status(source: "noventiq", paymentID: "1") == .succeeded)
        var turns = 0
        while store.stepExpiry() { turns += 1 }
        #expect(expiredCalls == 1)
        #expect(store.expiryPass == nil)
        #expect(turns >= PaymentSearchIndex.shardCount / PaymentSearchIndex.pruneShardsPerTurn - 1)
        #expect(store.status(source: "noventiq", paymentID: "1") == nil)
        #expect(store.status(source: "noventiq", paymentID: "9") == .succeeded)
        #expect(search.find("1", limit: 5, in: store.index).isEmpty)
        #expect(search.find("9", limit: 5, in: store.index).count == 1)
    }

}
