import Glibc
import PayhookCore
import PayhookLog
import PayhookStore
import TestSupport
import Testing

@testable import PayhookDaemon

/// `EventStore` against a real log: what ingest sees of events submitted to the writer thread
/// and not yet durable (their completions are collected only when the test calls `collect`).
@Suite struct EventStorePendingTests {
    /// Collects until nothing is pending (the writer fdatasyncs on its own thread).
    func drain(_ store: EventStore) {
        for _ in 0..<5_000 where store.pendingCount > 0 {
            store.collect()
            usleep(1_000)
        }
        store.collect()
    }

    @Test("Noventiq deleted after a succeeded still waiting for fdatasync is refunded, through the real log")
    func deletedAfterPendingSucceeded() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = EventStore(opened: try Log.open(dir: dir.path, isDelivered: { _ in true }, onDurable: {}))
        defer { store.shutdown() }
        let route = try IngestFixtures.route(store, dir: dir)
        let outcomes = Outcomes()
        let source = IngestFixtures.noventiq
        route.ingest(source, IngestFixtures.request(IngestFixtures.succeeded(41)), receivedAtMs: 1, origin: .provider, finish: outcomes.finish)
        route.ingest(source, IngestFixtures.request(IngestFixtures.deleted(41)), receivedAtMs: 2, origin: .provider, finish: outcomes.finish)
        #expect(outcomes.all.isEmpty, "nothing is answered before fdatasync")
        drain(store)
        #expect(outcomes.all.count == 2 && outcomes.all.allSatisfy { if case .stored = $0 { true } else { false } }, "\(outcomes.all)")
        #expect(store.index.lookup(source: "noventiq", paymentID: "41")?.status == .refunded)
    }

    @Test("an append that fails leaves no pending status behind; a copy that waited gets the failure too (real log)")
    func failedAppendVanishes() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = EventStore(opened: try Log.open(dir: dir.path, isDelivered: { _ in true }, onDurable: {}))
        store.writer.shutdown { nil }  // every later append fails with shuttingDown once collected
        let route = try IngestFixtures.route(store, dir: dir)
        let outcomes = Outcomes()
        let source = IngestFixtures.noventiq
        route.ingest(source, IngestFixtures.request(IngestFixtures.succeeded(42)), receivedAtMs: 1, origin: .provider, finish: outcomes.finish)
        route.ingest(source, IngestFixtures.request(IngestFixtures.succeeded(42)), receivedAtMs: 2, origin: .provider, finish: outcomes.finish)
        #expect(store.status(source: "noventiq", paymentID: "42") == .succeeded, "seen while pending")
        drain(store)
        let again = IngestOutcome.unavailable(message: "shutting down; send again", retryAfterSeconds: 5)
        #expect(outcomes.all == [again, again])
        #expect(store.status(source: "noventiq", paymentID: "42") == nil, "gone once the append failed")
    }
}
