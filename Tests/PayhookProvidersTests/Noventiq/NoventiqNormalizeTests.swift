import PayhookCore
import PayhookProviders
import Testing

@Suite struct NoventiqNormalizeTests {
    func event(_ body: String, previous: PaymentStatus? = nil) -> NormalizedEvent {
        Providers.normalize(TestSources.noventiq(), body: Array(body.utf8), receivedAtMs: 7, verifiedBy: "sha512-fields", previousStatus: previous)
    }

    @Test("the documented example normalizes to the design.md shape")
    func documented() {
        let e = Providers.normalize(
            TestSources.noventiq(), body: Fixtures.bytes("noventiq-order-created.json"), receivedAtMs: 7, verifiedBy: "sha512-fields",
            previousStatus: nil)
        #expect(
            e
                == NormalizedEvent(
                    id: "noventiq:5555555:order.created", source: "noventiq", provider: "noventiq", kind: "payment", paymentID: "5555555",
                    merchantRef: "TEST12025", status: .created, providerStatus: "not paid", providerEvent: "order.created", amount: "100.00",
                    currency: "EUR", occurredAt: "2021-08-13T09:16:35+03:00", receivedAtMs: 7, verifiedBy: "sha512-fields"))
    }

    @Test("deleted uses the previous status: refunded after succeeded, else cancelled")
    func deleted() {
        let body = #"{"event":"order.deleted","order_id":1,"status":"deleted"}"#
        #expect(event(body, previous: .succeeded).status == .refunded)
        #expect(event(body, previous: .created).status == .cancelled)
        #expect(event(body).status == .cancelled)
        #expect(event(body).id == "noventiq:1:order.deleted")
    }

    @Test("the previous-status lookup is asked for this body's own payment id")
    func previousLookup() {
        let body = Array(#"{"event":"order.deleted","order_id":42,"status":"deleted"}"#.utf8)
        var asked: [String] = []
        let e = Providers.normalize(TestSources.noventiq(), body: body, receivedAtMs: 7, verifiedBy: "sha512-fields") { id in
            asked.append(id)
            return id == "42" ? .succeeded : nil
        }
        #expect(asked == ["42"])
        #expect(e.status == .refunded)
    }

    @Test("amount is the top-level amount, else product.amount, only when decimal")
    func amount() {
        #expect(event(#"{"event":"e","order_id":1,"amount":"12.30","product":{"amount":"100.00"}}"#).amount == "12.30")
        #expect(event(#"{"event":"e","order_id":1,"product":{"amount":99.5}}"#).amount == "99.5")
        #expect(event(#"{"event":"e","order_id":1,"product":{"amount":"n/a"}}"#).amount == nil)
        #expect(event(#"{"event":"e","order_id":1}"#).amount == nil)
    }

    @Test("merchant_ref is external_id as a string or a number's text; empty or other types are absent")
    func merchantRef() {
        #expect(event(#"{"event":"e","order_id":1,"external_id":"A-1"}"#).merchantRef == "A-1")
        #expect(event(#"{"event":"e","order_id":1,"external_id":12025}"#).merchantRef == "12025")
        #expect(event(#"{"event":"e","order_id":1,"external_id":""}"#).merchantRef == nil)
        #expect(event(#"{"event":"e","order_id":1,"external_id":{"a":1}}"#).merchantRef == nil)
    }

    @Test("optional fields of the wrong type are absent, never a quarantine")
    func lenientOptionals() {
        let e = event(#"{"event":"order.created","order_id":1,"status":5,"currency":["EUR"],"event_date":0}"#)
        #expect(e.quarantined == nil)
        #expect(e.providerStatus == nil && e.currency == nil && e.occurredAt == nil)
        #expect(e.status == .created)
    }

    @Test(
        "order_id is required: an integer number of any size or a digit string",
        arguments: [
            (#"{"event":"e","order_id":123456789012345678901234567890}"#, nil as String?), (#"{"event":"e","order_id":"42"}"#, nil),
            (#"{"event":"e","order_id":5555555.0}"#, "wrong_type:order_id"), (#"{"event":"e","order_id":"A1"}"#, "wrong_type:order_id"),
            (#"{"event":"e"}"#, "missing_field:order_id"), (#"{"event":"","order_id":1}"#, "empty_field:event"),
            (#"{"event":1,"order_id":1}"#, "wrong_type:event"), (#"{"order_id":1}"#, "missing_field:event"),
        ])
    func required(body: String, reason: String?) {
        #expect(event(body).quarantined == reason)
    }

    @Test("unicode in strings survives into the event")
    func unicode() {
        let e = event(#"{"event":"order.created","order_id":1,"external_id":"Заказ \ud83d\ude00 №1","currency":"€"}"#)
        #expect(e.merchantRef == "Заказ 😀 №1")
        #expect(e.currency == "€")
    }
}
