import PayhookCore
import PayhookHTTP1
import PayhookHooks
import Testing

@Suite struct HookRequestTests {
    static let target = HookRequest.Target(host: "127.0.0.1:9000", path: "/payhook?x=1")

    @Test("the request: POST with Host, JSON type, length, event headers, signatures, then the body")
    func layout() throws {
        let body = Array(#"{"a":1}"#.utf8)
        let key = try #require(HookSigningKey(secret: "k"))
        let e = event(42, "p1")
        let bytes = HookRequest.build(target: Self.target, event: e, attempt: 3, body: body, key: key, timestampS: 1_700_000_000)
        let text = String(decoding: bytes, as: UTF8.self)
        let sig = HookSigning.payhookSignature(key: key, timestampS: 1_700_000_000, body: body)
        let std = HookSigning.standardSignature(key: key, eventID: e.id, timestampS: 1_700_000_000, body: body)
        #expect(
            text == "POST /payhook?x=1 HTTP/1.1\r\nHost: 127.0.0.1:9000\r\nContent-Type: application/json\r\n"
                + "Content-Length: 7\r\nPayhook-Event-Id: shop:p1:42\r\nPayhook-Seq: 42\r\nPayhook-Attempt: 3\r\n"
                + "Payhook-Signature: \(sig)\r\nwebhook-id: shop:p1:42\r\nwebhook-timestamp: 1700000000\r\n"
                + "webhook-signature: \(std)\r\nUser-Agent: payhookd\r\n\r\n{\"a\":1}")
        let unsigned = String(
            decoding: HookRequest.build(target: Self.target, event: e, attempt: 1, body: body, key: nil, timestampS: 0), as: UTF8.self)
        #expect(!unsigned.contains("ignature") && !unsigned.contains("webhook-"))
    }

    @Test("an old-form id with CR, LF or non-ASCII has those bytes percent-encoded: provider data cannot forge a header")
    func headerInjection() {
        var e = event(7, "p\r\nX-Evil: 1")
        e.id = "shop:p\r\nX-Evil: 1:caf\u{E9} 100%"
        let text = String(decoding: HookRequest.build(target: Self.target, event: e, attempt: 1, body: [], key: nil, timestampS: 0), as: UTF8.self)
        #expect(text.contains("Payhook-Event-Id: shop:p%0D%0AX-Evil:%201:caf%C3%A9%20100%\r\n"))
        #expect(!text.contains("\nX-Evil"))
        #expect(HookRequest.headerValue("shop:p1:paid") == "shop:p1:paid")
        let made = EventID.make(source: "s", paymentID: "caf\u{E9}", event: "invoice:paid")
        #expect(HookRequest.headerValue(made) == made)
    }
}

@Suite struct HookCommandTests {
    @Test("a command hook gets argv as configured and only the event's variables and a fixed PATH")
    func environment() {
        let c = HookCommand(argv: ["/usr/bin/prog", "--flag"], event: event(9, "p\u{E9}", status: .refunded), attempt: 2)
        #expect(c.argv == ["/usr/bin/prog", "--flag"])
        #expect(
            c.environment == [
                "PATH=/usr/bin:/bin", "PAYHOOK_ATTEMPT=2", "PAYHOOK_EVENT_ID=shop:p\u{E9}:9", "PAYHOOK_PAYMENT_ID=p\u{E9}",
                "PAYHOOK_SEQ=9", "PAYHOOK_SOURCE=shop", "PAYHOOK_STATUS=refunded",
            ])
        let none = HookCommand(argv: ["/bin/true"], event: event(1, nil), attempt: 1)
        #expect(none.environment.contains("PAYHOOK_PAYMENT_ID="))
        let nul = HookCommand(argv: ["/bin/true"], event: event(1, "a\u{0}b"), attempt: 1)
        #expect(nul.environment.contains("PAYHOOK_PAYMENT_ID=a%00b"), "an environment string cannot hold NUL")
    }
}

@Suite struct HookFilterTests {
    @Test("sources, statuses and kinds narrow what a hook gets; all by default")
    func fields() {
        #expect(HookFilter().matches(event(1, "a")))
        #expect(HookFilter(sources: ["shop"]).matches(event(1, "a")))
        #expect(!HookFilter(sources: ["other"]).matches(event(1, "a")))
        #expect(!HookFilter(statuses: [.failed]).matches(event(1, "a")))
        #expect(HookFilter(statuses: [.failed, .succeeded]).matches(event(1, "a")))
        #expect(!HookFilter(kinds: ["payout"]).matches(event(1, "a")))
        #expect(HookFilter(kinds: ["payin"]).matches(event(1, "a")))
    }

    @Test("quarantined events only reach hooks with quarantined = true")
    func quarantined() {
        var e = event(1, "a")
        e.quarantined = true
        #expect(!HookFilter().matches(e))
        #expect(HookFilter(quarantined: true).matches(e))
        #expect(HookFilter(quarantined: true).matches(event(2, "a")), "and the understood ones too")
    }

    @Test("names are matched by bytes: an NFD source does not match an NFC config name")
    func byteNames() {
        #expect(!HookFilter(sources: ["caf\u{E9}"]).matches(event(1, "a", source: "cafe\u{301}")))
        #expect(HookFilter(sources: ["caf\u{E9}"]).matches(event(1, "a", source: "caf\u{E9}")))
    }
}

@Suite struct DeliveryLimitsTests {
    @Test("each limit accepts its range's ends and refuses one past them")
    func ranges() {
        func name(_ edit: (inout DeliveryLimits) -> Void) -> String? {
            var l = DeliveryLimits()
            edit(&l)
            return l.outOfRange
        }
        #expect(name { $0.maxInFlight = 1024 } == nil)
        #expect(name { $0.maxInFlight = 1025 } == "max_in_flight")
        #expect(name { $0.maxInFlight = 0 } == "max_in_flight")
        #expect(name { $0.maxHeldEvents = 10_000_000 } == nil)
        #expect(name { $0.maxHeldEvents = 10_000_001 } == "max_held_events")
        #expect(name { $0.retryMaxAgeMs = 30 * 86_400_000 } == nil)
        #expect(name { $0.retryMaxAgeMs = 30 * 86_400_000 + 1 } == "retry_max_age_ms")
        #expect(name { $0.retryMaxIntervalMs = 999 } == "retry_max_interval_ms")
        #expect(name { $0.retryFirstMs = 60_001 } == "retry_first_ms")
        #expect(name { $0.cursorEveryAcks = 1_000_001 } == "cursor_every_acks")
        #expect(name { $0.cursorEveryMs = 9 } == "cursor_every_ms")
    }
}

@Suite struct HookRequestWireTests {
    @Test("payhookd's own strict request parser accepts the request, with every field and the body intact")
    func parsesStrictly() throws {
        let body = Array(#"{"id":"x","amount":"1.00"}"#.utf8)
        var e = event(42, "p\r\n1")
        e.id = "shop:p\r\n1:paid"
        let key = try #require(HookSigningKey(secret: "whsec_AAEC"))
        let bytes = HookRequest.build(target: HookRequestTests.target, event: e, attempt: 2, body: body, key: key, timestampS: 1_700_000_000)
        var parser = HTTP1RequestParser()
        let head = bytes.withUnsafeBytes { parser.parse($0) }
        #expect(head.event == .head)
        bytes.withUnsafeBytes { b in
            #expect(parser.head.framing == .contentLength(body.count))
            #expect(parser.head.host.map { HTTP1.string($0, in: b) } == "127.0.0.1:9000")
            #expect(parser.value(of: "payhook-event-id", in: b).map { HTTP1.string($0, in: b) } == "shop:p%0D%0A1:paid")
            #expect(parser.value(of: "payhook-seq", in: b).map { HTTP1.string($0, in: b) } == "42")
            #expect(parser.value(of: "webhook-id", in: b).map { HTTP1.string($0, in: b) } == "shop:p%0D%0A1:paid")
            #expect(parser.fields.count == 11)
        }
        let rest = Array(bytes[head.consumed...])
        let bodyEvent = rest.withUnsafeBytes { parser.parse($0) }
        #expect(bodyEvent.event == .body(0..<body.count))
    }
}
