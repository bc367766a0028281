import PayhookCore
import Testing

@testable import PayhookLog
@testable import PayhookStore

@Suite struct PaymentStateTests {
    /// Folds notifications of one payment with these statuses, in order, through a `LogIndex`.
    private func fold(_ statuses: [PaymentStatus]) -> PaymentState {
        var index = LogIndex()
        for (i, s) in statuses.enumerated() {
            var e = Fixtures.event(i + 1, payment: "P", status: s, receivedAtMs: 1000 + Int64(i))
            e.providerStatus = "\(s.rawValue)-\(i + 1)"
            let seq = UInt64(i + 1)
            index.apply(
                .event(Fixtures.request(), e), at: AppendedRecord(seq: seq, location: RecordLocation(segmentFirstSeq: 1, offset: 32 + Int64(i) * 10)),
                frameBytes: 10)
        }
        return index.lookup(source: "noventiq", paymentID: "P")!
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var statuses: [PaymentStatus]
        var status: PaymentStatus
        /// Index (1-based) of the notification whose provider_status wins.
        var from: Int
        var testDescription: String { "\(statuses.map(\.rawValue)) -> \(status.rawValue)" }
    }

    @Test(
        "the last-seen status never moves backwards; unknown never moves it; equal ranks replace",
        arguments: [
            Case(statuses: [.created, .pending, .succeeded], status: .succeeded, from: 3),
            Case(statuses: [.succeeded, .pending], status: .succeeded, from: 1),
            Case(statuses: [.succeeded, .failed], status: .succeeded, from: 1),
            Case(statuses: [.pending, .unknown], status: .pending, from: 1),
            Case(statuses: [.unknown], status: .unknown, from: 0),
            Case(statuses: [.unknown, .created], status: .created, from: 2),
            Case(statuses: [.expired, .cancelled], status: .cancelled, from: 2),
            Case(statuses: [.cancelled, .expired], status: .expired, from: 2),
            Case(statuses: [.succeeded, .refunded, .succeeded], status: .refunded, from: 2),
            Case(statuses: [.failed, .succeeded], status: .succeeded, from: 2),
            Case(statuses: [.succeeded, .succeeded], status: .succeeded, from: 2),
            Case(statuses: [.refunded, .created, .unknown, .pending], status: .refunded, from: 1),
        ])
    func statusRules(_ c: Case) {
        let p = fold(c.statuses)
        #expect(p.status == c.status)
        #expect(p.providerStatus == (c.from == 0 ? nil : "\(c.statuses[c.from - 1].rawValue)-\(c.from)"))
    }

    @Test("history counts every notification, with first/last seen and last seq, whatever the status did")
    func history() {
        let p = fold([.succeeded, .pending, .unknown, .failed])
        #expect(p.events == 4)
        #expect(p.eventSeqs == [1, 2, 3, 4])
        #expect(p.lastSeq == 4)
        #expect(p.firstSeenMs == 1000)
        #expect(p.lastSeenMs == 1003)
        #expect(p.provider == "noventiq" && p.kind == "payment")
    }

    @Test("amount, currency and merchant_ref follow the status-setting notification, else only fill gaps")
    func descriptiveFields() {
        var index = LogIndex()
        var a = Fixtures.event(1, payment: "P", status: .pending)
        a.amount = nil
        a.currency = nil
        a.merchantRef = nil
        var b = Fixtures.event(2, payment: "P", status: .succeeded)
        b.amount = "10.00"
        b.currency = "EUR"
        b.merchantRef = "R1"
        var c = Fixtures.event(3, payment: "P", status: .pending)
        c.amount = "99.00"
        c.currency = "USD"
        c.merchantRef = "R2"
        for (i, e) in [a, b, c].enumerated() {
            index.apply(
                .event(Fixtures.request(), e),
                at: AppendedRecord(seq: UInt64(i + 1), location: RecordLocation(segmentFirstSeq: 1, offset: 32 + Int64(i))), frameBytes: 1)
        }
        let p = index.lookup(source: "noventiq", paymentID: "P")!
        #expect(p.amount == "10.00" && p.currency == "EUR" && p.merchantRef == "R1")
    }

    @Test("dedup keeps the first seq of an event id; quarantined events count; no payment id means no status entry")
    func dedupAndQuarantine() {
        var index = LogIndex()
        let e = Fixtures.event(1)
        var q = Fixtures.event(2, quarantined: "unknown event")
        q.paymentID = nil
        for (i, x) in [e, e, q].enumerated() {
            index.apply(
                .event(Fixtures.request(), x),
                at: AppendedRecord(seq: UInt64(i + 1), location: RecordLocation(segmentFirstSeq: 1, offset: 32 + Int64(i))), frameBytes: 1)
        }
        #expect(index.dedup(id: e.id) == 1)
        #expect(index.dedup(id: q.id) == 3)
        #expect(index.dedup(id: "nope") == nil)
        #expect(index.quarantinedCount == 1)
        #expect(index.paymentCount == 1)
        #expect(index.eventSeqs(source: "noventiq", paymentID: "p1") == [1, 2])
        #expect(index.location(of: 2) == RecordLocation(segmentFirstSeq: 1, offset: 33))
        #expect(index.location(of: 4) == nil)
    }
}
