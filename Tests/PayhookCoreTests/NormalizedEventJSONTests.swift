import PayhookCore
import Testing

@Suite struct NormalizedEventJSONTests {
    let event = NormalizedEvent(
        id: "noventiq:5555555:order.payment.succeeded", seq: 42, source: "noventiq", provider: "noventiq", kind: "payment",
        paymentID: "5555555", merchantRef: "TEST12025", status: .succeeded, providerStatus: "paid",
        providerEvent: "order.payment.succeeded", amount: "100.00", currency: "EUR", occurredAt: "2021-08-13T06:20:00Z",
        receivedAtMs: 1_795_341_600_123, verifiedBy: "sha512-fields")

    @Test("the event renders as design.md's payhook.event/v1 shape, data re-emitted compactly on one line")
    func shape() {
        let body = Array("{\n  \"order_id\": 5555555,\n  \"amount\": 100.00\n}\n".utf8)
        let text = String(decoding: event.jsonBytes(data: body), as: UTF8.self)
        #expect(
            text
                == #"{"schema":"payhook.event/v1","id":"noventiq:5555555:order.payment.succeeded","seq":42,"source":"noventiq","provider":"noventiq","kind":"payment","payment_id":"5555555","merchant_ref":"TEST12025","status":"succeeded","provider_status":"paid","provider_event":"order.payment.succeeded","amount":"100.00","currency":"EUR","occurred_at":"2021-08-13T06:20:00Z","received_at":"2026-11-22T10:00:00.123Z","verified_by":"sha512-fields","unsigned":["merchant_ref","provider_status","amount","occurred_at","data"],"quarantined":null,"data":{"order_id":5555555,"amount":100.00}}"#
        )
    }

    @Test("a body that is not JSON is written as data null, and a missing amount is left out")
    func notJSON() {
        var e = event
        e.amount = nil
        e.quarantined = "not_json"
        let text = String(decoding: e.jsonBytes(data: Array("not json".utf8)), as: UTF8.self)
        #expect(text.hasSuffix(#""quarantined":"not_json","data":null}"#))
        #expect(!text.contains("\"amount\":"))
    }
}
