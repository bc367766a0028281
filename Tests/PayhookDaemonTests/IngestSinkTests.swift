import PayhookCore
import PayhookLog
import PayhookPosix
import PayhookStore
import TestSupport
import Testing

@testable import PayhookDaemon

/// `IngestRoute.ingest` against a fake sink whose appends complete when the test says so:
/// dedup, copies arriving while the original waits for fdatasync, quarantine, refusals, and
/// normalization that sees events appended but not yet durable.
@Suite final class IngestSinkTests {
    let dir = TemporaryDirectory()
    let sink = FakeEventSink()
    let outcomes = Outcomes()
    let route: IngestRoute

    init() throws { route = try IngestFixtures.route(sink, dir: dir) }
    deinit { dir.remove() }

    func send(_ body: String, source: IngestSource = IngestFixtures.noventiq, receivedAtMs: Int64 = 1) {
        route.ingest(source, IngestFixtures.request(body, source: source), receivedAtMs: receivedAtMs, origin: .provider, finish: outcomes.finish)
    }

    @Test("a notification stored before is a duplicate of its seq: answered at once, recorded as a marker, not appended")
    func dedup() {
        send(IngestFixtures.succeeded(1))
        sink.complete()
        send(IngestFixtures.succeeded(1), receivedAtMs: 2)
        #expect(
            outcomes.all == [
                .stored(id: "noventiq:1:order.payment.succeeded", seq: 1),
                .duplicate(id: "noventiq:1:order.payment.succeeded", of: 1, quarantined: nil),
            ])
        #expect(sink.appended.count == 1 && sink.waitingCount == 0)
        #expect(sink.duplicates.map(\.originalSeq) == [1] && sink.duplicates.map(\.eventID) == ["noventiq:1:order.payment.succeeded"])
    }

    @Test("a copy arriving while the original waits for fdatasync gets the original's seq once it is durable, and a duplicate marker")
    func inFlightDuplicateSucceeds() {
        send(IngestFixtures.succeeded(2))
        send(IngestFixtures.succeeded(2), receivedAtMs: 2)
        #expect(outcomes.all.isEmpty, "neither is answered before the original is durable")
        #expect(sink.appended.count == 1, "the copy is not appended")
        sink.complete()
        let id = "noventiq:2:order.payment.succeeded"
        #expect(outcomes.all == [.stored(id: id, seq: 1), .duplicate(id: id, of: 1, quarantined: nil)])
        #expect(sink.pendingCount == 0)
        #expect(route.metrics.value(IngestMetrics.ingested, ["noventiq", "accepted"]) == 1)
        #expect(route.metrics.value(IngestMetrics.ingested, ["noventiq", "duplicate"]) == 1)
        #expect(sink.duplicates.map(\.originalSeq) == [1] && sink.duplicates.map(\.eventID) == [id], "the copy is in the log's audit trail")
    }

    @Test("a copy arriving while the original waits gets the original's failure: 503 with its Retry-After, nothing stored")
    func inFlightDuplicateFails() {
        send(IngestFixtures.succeeded(3))
        send(IngestFixtures.succeeded(3), receivedAtMs: 2)
        sink.complete(failing: .storageFull(SyscallError(call: "pwritev", errno: .noSpace)))
        let full = IngestOutcome.unavailable(message: "storage is full; send again later", retryAfterSeconds: 30)
        #expect(outcomes.all == [full, full])
        #expect(outcomes.all.map(\.response.status) == [503, 503])
        #expect(sink.index.dedupCount == 0 && sink.pendingCount == 0)
        #expect(sink.duplicates.isEmpty, "no marker points at an original that was never stored")
        #expect(route.metrics.value(IngestMetrics.rejected, ["noventiq", "unavailable"]) == 2, "each 503 is counted")
        send(IngestFixtures.succeeded(3), receivedAtMs: 3)
        #expect(sink.appended.count == 2, "after the failure a resend is appended again, not answered as a duplicate")
    }

    @Test("an authentic body that is not understood is quarantined; its copy in flight and later are duplicates flagged the same")
    func quarantine() throws {
        send("not json")
        send("not json", receivedAtMs: 2)
        sink.complete()
        send("not json", receivedAtMs: 3)
        let first = try #require(outcomes.all.first)
        guard case .quarantined(let id, 1, "not_json") = first else {
            Issue.record("\(first)")
            return
        }
        #expect(id.hasPrefix("noventiq:quarantine:"))
        #expect(
            Array(outcomes.all.dropFirst()) == [
                .duplicate(id: id, of: 1, quarantined: "not_json"), .duplicate(id: id, of: 1, quarantined: "not_json"),
            ])
        #expect(sink.appended.count == 1 && sink.appended[0].quarantined == "not_json")
    }

    @Test("Noventiq deleted after a succeeded still waiting for fdatasync is refunded; alone it is cancelled")
    func normalizationSeesPending() {
        send(IngestFixtures.succeeded(4))
        send(IngestFixtures.deleted(4), receivedAtMs: 2)
        send(IngestFixtures.deleted(5), receivedAtMs: 3)
        #expect(sink.appended.map(\.status) == [.succeeded, .refunded, .cancelled])
        #expect(sink.status(source: "noventiq", paymentID: "4") == .refunded, "the lookup folds both pending events")
        sink.complete()
        sink.complete()
        sink.complete()
        #expect(sink.index.lookup(source: "noventiq", paymentID: "4")?.status == .refunded)
        #expect(sink.index.lookup(source: "noventiq", paymentID: "5")?.status == .cancelled)
    }

    @Test("a pending status vanishes when its append fails: a later deleted is cancelled, the lookup is what is durable")
    func overlayVanishesOnFailure() {
        send(IngestFixtures.succeeded(6))
        #expect(sink.status(source: "noventiq", paymentID: "6") == .succeeded)
        sink.complete(failing: .shuttingDown)
        #expect(sink.status(source: "noventiq", paymentID: "6") == nil)
        send(IngestFixtures.deleted(6), receivedAtMs: 2)
        #expect(sink.appended.last?.status == .cancelled)
        sink.complete()
        #expect(sink.index.lookup(source: "noventiq", paymentID: "6")?.status == .cancelled)
    }

    @Test("a refusal appends nothing and reaches the sink not at all")
    func refusals() {
        var narrow = IngestFixtures.noventiq
        narrow = IngestSource(name: narrow.name, provider: narrow.provider, allowFrom: [IPBlock(parsing: "10.0.0.0/8")!], maxBodyBytes: 65_536)
        send(IngestFixtures.succeeded(7), source: narrow)
        var get = IngestFixtures.request(IngestFixtures.succeeded(7))
        get.method = "GET"
        route.ingest(IngestFixtures.noventiq, get, receivedAtMs: 2, origin: .provider, finish: outcomes.finish)
        #expect(outcomes.all == [.rejected(.forbidden(client: "127.0.0.1")), .rejected(.methodNotAllowed)])
        #expect(sink.appended.isEmpty && sink.duplicates.isEmpty)
    }
}

/// `PendingEvents`: the overlay's fold and its bookkeeping.
@Suite struct PendingEventsTests {
    func event(_ id: String, payment: String?, _ status: PaymentStatus) -> NormalizedEvent {
        NormalizedEvent(
            id: id, source: "s", provider: "noventiq", kind: "payment", paymentID: payment, status: status, receivedAtMs: 1,
            verifiedBy: "none")
    }

    @Test("pending statuses fold over the durable one by the index's rule; finishing one takes it out")
    func fold() {
        var p = PendingEvents()
        let paid = event("s:1:paid", payment: "1", .succeeded)
        p.add(paid)
        p.add(event("s:1:failed", payment: "1", .failed))
        #expect(p.status(source: "s", paymentID: "1", over: nil) == .succeeded, "failed ranks below succeeded")
        #expect(p.status(source: "s", paymentID: "1", over: .refunded) == .refunded, "never backwards")
        #expect(p.status(source: "s", paymentID: "2", over: .created) == .created)
        #expect(p.finish(paid).isEmpty)
        #expect(p.status(source: "s", paymentID: "1", over: nil) == .failed)
        #expect(p.count == 1 && p.pendingPaymentCount == 1)
    }

    @Test("copies wait only behind an event that is pending, and are handed back when it finishes")
    func waiters() {
        var p = PendingEvents()
        let q = event("s:quarantine:ab", payment: nil, .unknown)
        #expect(!p.wait(for: q.id) { _ in })
        p.add(q)
        #expect(p.wait(for: q.id) { _ in })
        #expect(p.finish(q).count == 1 && p.count == 0 && p.pendingPaymentCount == 0)
    }
}
