import PayhookCore
import PayhookLog
import PayhookStore
import Testing

@testable import PayhookDaemon

/// `PaymentJSON` writes the payment answer without `JSONWriter`'s per-key work; its bytes must be
/// exactly what `JSONWriter` writes for the same members, escapes and nulls included.
@Suite struct AdminPaymentJSONTests {
    func viaWriter(_ s: PaymentState, _ unsigned: [String]) -> String {
        var w = JSONWriter()
        w.beginObject()
        for (k, v) in [("source", s.source), ("provider", s.provider), ("kind", s.kind), ("payment_id", s.paymentID)] {
            w.key(k)
            w.string(v)
        }
        w.key("merchant_ref")
        w.stringOrNull(s.merchantRef)
        w.key("status")
        w.string(s.status.rawValue)
        for (k, v) in [("provider_status", s.providerStatus), ("amount", s.amount), ("currency", s.currency)] {
            w.key(k)
            w.stringOrNull(v)
        }
        w.key("unsigned")
        w.beginArray()
        for f in unsigned { w.string(f) }
        w.endArray()
        w.key("first_seen")
        w.string(Timestamp.iso8601(unixMs: s.firstSeenMs))
        w.key("last_seen")
        w.string(Timestamp.iso8601(unixMs: s.lastSeenMs))
        w.key("last_seq")
        w.integer(s.lastSeq)
        w.key("events")
        w.integer(s.events)
        w.endObject()
        return w.string
    }

    @Test("the same bytes as JSONWriter: plain values, nulls, escapes (quote, backslash, controls, DEL, UTF-8)")
    func sameBytes() {
        let e = NormalizedEvent(
            id: "nonstopay-payin:bench-1:paid", seq: 42, source: "nonstopay-payin", provider: "nonstopay", kind: "payin",
            paymentID: "bench-1", status: .succeeded, providerStatus: "paid", amount: "12.00", receivedAtMs: 1_764_460_800_123,
            verifiedBy: "hmac-sha256-hex")
        var s = PaymentState(first: e, paymentID: "bench-1")
        s.lastSeenMs = 1_764_460_900_456
        s.lastSeq = 42
        s.eventSeqs = [1, 42]
        for unsigned in [[], ["merchant_ref", "status"]] {
            #expect(String(decoding: PaymentJSON.render(s, unsigned: unsigned), as: UTF8.self) == viaWriter(s, unsigned))
        }
        s.paymentID = "a\"b\\c\u{1}d\u{7F}é"
        s.merchantRef = "tab\there"
        s.currency = "EUR"
        #expect(String(decoding: PaymentJSON.render(s, unsigned: ["amount"]), as: UTF8.self) == viaWriter(s, ["amount"]))
    }

    @Test("last_seq and events are the same decimal digits as JSONWriter's at 0, 9, 10, 99, 100 and UInt64.max")
    func sameNumbers() {
        let e = NormalizedEvent(
            id: "s:p:e", seq: 1, source: "s", provider: "nonstopay", kind: "payin", paymentID: "p", status: .created,
            providerStatus: "e", amount: nil, receivedAtMs: 0, verifiedBy: "none")
        var s = PaymentState(first: e, paymentID: "p")
        for n in [0, 9, 10, 99, 100] {
            s.lastSeq = UInt64(n)
            s.eventSeqs = (0..<UInt64(n)).map { $0 }
            #expect(String(decoding: PaymentJSON.render(s, unsigned: []), as: UTF8.self) == viaWriter(s, []))
        }
        s.lastSeq = .max
        #expect(String(decoding: PaymentJSON.render(s, unsigned: []), as: UTF8.self) == viaWriter(s, []))
    }

    /// Calls `body` with the UTF-8 bytes of `a` and `b`.
    private func withBytes<T>(_ a: String, _ b: String, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> T) -> T {
        var a = a
        var b = b
        return a.withUTF8 { x in b.withUTF8 { y in body(UnsafeRawBufferPointer(x), UnsafeRawBufferPointer(y)) } }
    }

    /// Folds `events` into an index, as the log would.
    private func index(_ events: [NormalizedEvent]) -> LogIndex {
        var index = LogIndex()
        let request = StoredRequest(peerAddress: "127.0.0.1:1", clientAddress: "127.0.0.1", path: "/hooks/s", headers: [], body: [], bodyIsJSON: true)
        for (i, e) in events.enumerated() {
            let seq = UInt64(i + 1)
            index.apply(
                .event(request, e), at: AppendedRecord(seq: seq, location: RecordLocation(segmentFirstSeq: 1, offset: Int64(i) * 100)),
                frameBytes: 100)
        }
        return index
    }

    @Test(
        "the answer written from the record's bytes (withPaymentRecord) is the answer of the decoded state, byte for byte",
        arguments: [
            ("bench-1", "M-1", "paid", "12.00", "EUR", Int64(1_764_460_800_123)),
            ("a\"b\\c\u{1}d\u{7F}é", "tab\there", "a provider status longer than the intern limit of 32 bytes", "1\n2", "€", 0),
            ("ΩMEGA-𝄞", "", "", "", "", -62_200_000_000_000),
            ("p", "x", "y", "z", "w", 253_402_300_800_000),
            // Escapes past the first eight bytes, at a word's last byte and in a short tail.
            ("0123456789\u{1F}abcdef\\xyz", "ABCDEFGH\u{7F}", "abcdefg\\", "12345678\"", "plainplainplainX", 1),
            // Escapes in fields shorter than a word (the padded tail), and a field of one byte.
            ("q\"", "\u{01}", "a\\b", "x\u{7F}", "\"", 2),
        ])
    func recordBytes(_ c: (id: String, ref: String, status: String, amount: String, currency: String, atMs: Int64)) {
        for nils in [false, true] {
            for verifiedBy in ["hmac-sha256-hex", "sha512-fields", "none"] {
                var events: [NormalizedEvent] = []
                for (n, status) in [PaymentStatus.pending, .succeeded, .refunded].enumerated() {
                    events.append(
                        NormalizedEvent(
                            id: "s:\(c.id):\(n)", source: "source-ü", provider: "nonstopay", kind: "payin", paymentID: c.id,
                            merchantRef: nils ? nil : c.ref, status: status, providerStatus: nils ? nil : c.status + "\(n)",
                            providerEvent: "e\(n)", amount: nils ? nil : c.amount, currency: nils ? nil : c.currency,
                            receivedAtMs: c.atMs + Int64(n) * 1_000, verifiedBy: verifiedBy))
                }
                var idx = index(events)
                let state = idx.lookup(source: "source-ü", paymentID: c.id)!
                let expected = PaymentJSON.encode(state, verifiedBy: verifiedBy)
                // The status route's way: the key as bytes, rendered into a buffer kept from an
                // earlier answer (its old bytes must not show through).
                var buffer = Array("earlier answer".utf8)
                buffer.removeAll(keepingCapacity: true)
                let found = withBytes("source-ü", c.id) { source, id in
                    idx.withPaymentRecord(source: source, paymentID: id) { _, fields in
                        let p = fields()
                        return PaymentJSON.render(
                            p, source: source, paymentID: id,
                            unsigned: SignatureCoverage.unsignedPaymentFields(verifiedBy: verifiedBy, status: p.status), into: &buffer)
                    }
                }
                #expect(found)
                #expect(String(decoding: buffer, as: UTF8.self) == String(decoding: expected, as: UTF8.self))
                #expect(!withBytes("source-ü", c.id + "x") { source, id in idx.withPaymentRecord(source: source, paymentID: id) { _, _ in } })
            }
        }
    }

    @Test("every ASCII byte, and a two-byte character, at every place of a field of up to seventeen bytes: the same bytes as JSONWriter")
    func everyByteEverywhere() {
        // Fields of 1 to 17 bytes (a short tail, one word, a word and a tail, two words and one
        // byte), all "a" but one byte at each place: the word test must send exactly the
        // fields that hold an escape to JSONWriter.
        var refs: [String] = []
        for count in 1...17 {
            for at in 0..<count {
                for byte in 0...0x7F {
                    refs.append(
                        String(repeating: "a", count: at) + String(UnicodeScalar(UInt8(byte))) + String(repeating: "a", count: count - at - 1))
                }
                refs.append(String(repeating: "a", count: at) + "é" + String(repeating: "a", count: max(0, count - at - 2)))
            }
        }
        let events = refs.enumerated().map { n, ref in
            NormalizedEvent(
                id: "s:p\(n):e", source: "s", provider: "nonstopay", kind: "payin", paymentID: "p\(n)", merchantRef: ref, status: .succeeded,
                providerStatus: "paid", amount: "1.00", receivedAtMs: 1, verifiedBy: "hmac-sha256-hex")
        }
        var idx = index(events)
        var buffer: [UInt8] = []
        var differing: [String] = []
        for n in refs.indices {
            let expected = PaymentJSON.encode(idx.lookup(source: "s", paymentID: "p\(n)")!, verifiedBy: "hmac-sha256-hex")
            buffer.removeAll(keepingCapacity: true)
            _ = withBytes("s", "p\(n)") { source, id in
                idx.withPaymentRecord(source: source, paymentID: id) { _, fields in
                    PaymentJSON.render(fields(), source: source, paymentID: id, unsigned: [], into: &buffer)
                }
            }
            if buffer != expected { differing.append(refs[n]) }
        }
        #expect(differing.isEmpty, "\(differing.count) fields differ, first \(differing.first.map { Array($0.utf8) } ?? [])")
    }
}
