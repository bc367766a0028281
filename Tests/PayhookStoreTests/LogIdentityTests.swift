import CLinuxShim
import PayhookCore
import TestSupport
import Testing

@testable import PayhookLog
@testable import PayhookStore

/// Dedup and the payment index after the event id became escaped: identities compare as bytes,
/// and logs and snapshots written with the previous, unescaped ids still dedup a resend.
@Suite struct LogIdentityTests {
    /// A Nonstopay event as the previous version stored it: the id unescaped.
    static func legacyEvent(payment: String, status: String) -> NormalizedEvent {
        NormalizedEvent(
            id: "nonstopay-payin:\(payment):\(status)", source: "nonstopay-payin", provider: "nonstopay", kind: "payin",
            paymentID: payment, status: .succeeded, providerStatus: status, providerEvent: status,
            receivedAtMs: 1_795_341_600_000, verifiedBy: "hmac-sha256-hex")
    }

    /// The same notification as today's version makes it.
    static func event(payment: String, status: String) -> NormalizedEvent {
        var e = legacyEvent(payment: payment, status: status)
        e.id = EventID.make(source: e.source, paymentID: payment, event: status)
        return e
    }

    static func at(_ seq: UInt64) -> AppendedRecord {
        AppendedRecord(seq: seq, location: RecordLocation(segmentFirstSeq: 1, offset: 32 + Int64(seq)))
    }

    @Test("recovery of a record with an old-form id: a resend in today's form is a duplicate, the other triple is not")
    func legacyRecordRecovered() throws {
        let log = try TestLog()
        defer { log.dir.remove() }
        log.append([.event(Fixtures.request(), Self.legacyEvent(payment: "7", status: "invoice:paid"))])
        log.close()
        let again = try TestLog(dir: log.dir)
        defer { again.close() }
        #expect(again.index.dedup(Self.event(payment: "7", status: "invoice:paid")) == 1)
        #expect(again.index.dedup(id: "nonstopay-payin:7:invoice%3Apaid") == 1)
        #expect(again.index.dedup(Self.event(payment: "7:invoice", status: "paid")) == nil)
        #expect(again.index.dedup(id: "nonstopay-payin:7:invoice:paid") == nil)
    }

    @Test("a version 1 snapshot's old-form ids dedup every triple they may have meant; version 3 keeps them as digests")
    func legacySnapshot() throws {
        // Versions 1 and 2 stored dedup ids as strings: such a snapshot, written by hand.
        var w = ByteWriter(capacity: 256)
        w.bytes.append(contentsOf: IndexSnapshot.magic)
        w.u16(1)
        w.u16(0)
        w.u64(3)
        w.u64(0)
        w.u64(2)
        for (id, seq) in [("nonstopay-payin:7:invoice:paid", UInt64(1)), ("noventiq:55:order.payment.succeeded", 2)] {
            w.string(id)
            w.u64(seq)
        }
        w.u64(0)
        w.u32(0)
        w.u32(w.bytes.withUnsafeBytes { cshim_crc32c(0, $0.baseAddress!, $0.count) })
        let bytes = w.bytes
        let old = try IndexSnapshot.decode(bytes)
        #expect(old.dedup(id: "nonstopay-payin:7:invoice%3Apaid") == 1)
        #expect(old.dedup(id: "nonstopay-payin:7%3Ainvoice:paid") == 1)
        #expect(old.dedup(id: "noventiq:55:order.payment.succeeded") == 2)
        #expect(old.dedupCount == 3)

        let current = try IndexSnapshot.decode(IndexSnapshot.encode(old))
        #expect(current == old)
        #expect(current.dedup(id: "nonstopay-payin:7:invoice:paid") == nil)
    }

    @Test("payment 7:invoice/paid and payment 7/invoice:paid are two identities and two payments")
    func separatorCollision() {
        var index = LogIndex()
        index.apply(.event(Fixtures.request(), Self.event(payment: "7:invoice", status: "paid")), at: Self.at(1), frameBytes: 1)
        index.apply(.event(Fixtures.request(), Self.event(payment: "7", status: "invoice:paid")), at: Self.at(2), frameBytes: 1)
        #expect(index.dedupCount == 2 && index.paymentCount == 2)
        #expect(index.dedup(Self.event(payment: "7:invoice", status: "paid")) == 1)
        #expect(index.dedup(Self.event(payment: "7", status: "invoice:paid")) == 2)
    }

    @Test("NFC and NFD spellings of a payment id are two payments and two identities")
    func canonicalEquivalence() {
        var index = LogIndex()
        var nfc = Self.event(payment: "caf\u{e9}", status: "invoice:paid")
        nfc.amount = "1.00"
        var nfd = Self.event(payment: "cafe\u{301}", status: "invoice:paid")
        nfd.amount = "2.00"
        index.apply(.event(Fixtures.request(), nfc), at: Self.at(1), frameBytes: 1)
        #expect(index.dedup(nfd) == nil)
        index.apply(.event(Fixtures.request(), nfd), at: Self.at(2), frameBytes: 1)
        #expect(index.paymentCount == 2 && index.dedupCount == 2)
        #expect(index.lookup(source: "nonstopay-payin", paymentID: "caf\u{e9}")?.amount == "1.00")
        #expect(index.lookup(source: "nonstopay-payin", paymentID: "cafe\u{301}")?.amount == "2.00")
        #expect(index.eventSeqs(source: "nonstopay-payin", paymentID: "cafe\u{301}") == [2])
        // Snapshots keep them apart too.
        #expect((try? IndexSnapshot.decode(IndexSnapshot.encode(index))) == index)
    }
}
