import PayhookCore
import Testing

/// The event id's escaping (`EventID`) and byte-exact comparison (`ByteString`).
@Suite struct EventIDTests {
    /// Components that stress the rule: separators, the escape character, text that looks
    /// like an escape, and the NFC and NFD spellings of "é".
    static let pieces = [
        "", "a", ":", "%", "::", "%%", "%3A", "%25", "a:b", "a%b", "7:invoice", "invoice:paid", "caf\u{e9}", "cafe\u{301}", "a b",
        "x\r\nEvil: 1", "\u{7F}",
    ]

    @Test("ids of today's form: `:`, `%` and bytes outside visible ASCII escaped inside components, nothing else")
    func examples() {
        #expect(EventID.make(source: "nonstopay-payin", paymentID: "1736", event: "invoice:paid") == "nonstopay-payin:1736:invoice%3Apaid")
        #expect(EventID.make(source: "nonstopay-payout", paymentID: "fund:19", event: "fund:success") == "nonstopay-payout:fund%3A19:fund%3Asuccess")
        #expect(
            EventID.make(source: "noventiq", paymentID: "5555555", event: "order.payment.succeeded") == "noventiq:5555555:order.payment.succeeded")
        #expect(EventID.make(source: "s", paymentID: "100%", event: "%3A") == "s:100%25:%253A")
        #expect(EventID.make(source: "s", paymentID: "caf\u{e9} 1", event: "a\r\nb") == "s:caf%C3%A9%201:a%0D%0Ab")
    }

    @Test("every id is visible ASCII, so it goes into an HTTP header or a NATS message id as it is")
    func printable() {
        for p in Self.pieces {
            let id = EventID.make(source: "s", paymentID: p, event: p)
            #expect(id.utf8.allSatisfy { $0 >= 0x21 && $0 <= 0x7E }, "\(id)")
        }
    }

    @Test("property: every triple round-trips, and no two distinct triples share an id (bytes)")
    func unambiguous() {
        var seen: [[UInt8]: [[UInt8]]] = [:]
        for s in Self.pieces {
            for p in Self.pieces {
                for e in Self.pieces {
                    let id = EventID.make(source: s, paymentID: p, event: e)
                    let triple = [s, p, e].map { Array($0.utf8) + [0xFF] }.flatMap { $0 }
                    #expect(seen[Array(id.utf8)] == nil || seen[Array(id.utf8)] == [triple], "\(id) made twice")
                    seen[Array(id.utf8), default: []].append(triple)
                    let back = EventID.components(id)
                    #expect(back.map { [$0.source, $0.paymentID, $0.event].map { Array($0.utf8) } } == [s, p, e].map { Array($0.utf8) })
                }
            }
        }
        #expect(seen.count == Self.pieces.count * Self.pieces.count * Self.pieces.count)
    }

    @Test(
        "components refuses what `make` never produces",
        arguments: [
            "a:b", "a:b:c:d", "a:%:c", "a:%3a:c", "a:%2:c", "a:b%", "a:%41:c", "a:b c:d", "a:%C3:c",
        ])
    func malformed(_ id: String) { #expect(EventID.components(id) == nil) }

    @Test("a previous-version id stands for every triple it may have meant")
    func legacy() {
        #expect(EventID.fromLegacy("noventiq:5555555:order.payment.succeeded") == ["noventiq:5555555:order.payment.succeeded"])
        #expect(
            EventID.fromLegacy("nonstopay-payin:7:invoice:paid") == ["nonstopay-payin:7:invoice%3Apaid", "nonstopay-payin:7%3Ainvoice:paid"])
        #expect(EventID.fromLegacy("s:100%:x") == ["s:100%25:x"])
        #expect(EventID.fromLegacy("nonstopay-payin:quarantine:0123abcd") == ["nonstopay-payin:quarantine:0123abcd"])
    }

    @Test("ByteString: NFC and NFD spellings are equal as String, distinct as bytes")
    func byteExact() {
        let nfc = "caf\u{e9}"
        let nfd = "cafe\u{301}"
        #expect(nfc == nfd)  // why ByteString exists
        #expect(ByteString(nfc) != ByteString(nfd))
        #expect(Set([ByteString(nfc), ByteString(nfd), ByteString(String(nfc))]).count == 2)
        #expect(ByteString(nfc) == ByteString("caf" + "\u{e9}"))
    }
}
