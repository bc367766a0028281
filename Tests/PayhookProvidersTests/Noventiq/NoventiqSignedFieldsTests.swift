import PayhookCore
import PayhookProviders
import Testing

/// Finding 4 of the hardening issue: Noventiq signs only six fields. A signed value holding the
/// separator is refused, the status follows the signed `event`, and every event names the
/// fields its signature leaves uncovered.
@Suite struct NoventiqSignedFieldsTests {
    func verify(_ body: String, signedString: String) -> Verification {
        let signature = Encoding.hex(Crypto.sha512(Array(signedString.utf8)))
        return Providers.verify(TestSources.noventiq(), headers: [(name: "signature", value: signature)], body: Array(body.utf8))
    }

    func normalize(_ body: String, previous: PaymentStatus? = nil, verifiedBy: String = "sha512-fields") -> NormalizedEvent {
        Providers.normalize(TestSources.noventiq(), body: Array(body.utf8), receivedAtMs: 7, verifiedBy: verifiedBy, previousStatus: previous)
    }

    @Test("a signed field holding ';' is refused even with a signature over the shifted string")
    func separatorShift() {
        // Genuine: currency "EUR", customer.email "USD;e"... or currency "EUR;USD", email "e": the
        // joined strings are equal, so one signature would serve both bodies.
        let body =
            #"{"event":"order.payment.succeeded","order_id":7,"create_date":"d","currency":"EUR;USD","customer":{"email":"e"},"payment":{"payment_method":"m"}}"#
        #expect(verify(body, signedString: "secret_key;order.payment.succeeded;7;d;m;EUR;USD;e") == .rejected(.separatorInSignedField))
        let clean = body.replacing("EUR;USD", with: "EUR")
        #expect(verify(clean, signedString: "secret_key;order.payment.succeeded;7;d;m;EUR;e").isVerified)
    }

    @Test("the separator is refused in every signed field, escaped too; unsigned fields may hold it")
    func separatorEverywhere() {
        let fields = [
            #"{"event":"a;b","order_id":1}"#, #"{"event":"e","order_id":1,"create_date":"x;y"}"#,
            #"{"event":"e","order_id":1,"payment":{"payment_method":";"}}"#, #"{"event":"e","order_id":1,"payment_method":"a;"}"#,
            #"{"event":"e","order_id":1,"currency":"E\u003bU"}"#, #"{"event":"e","order_id":1,"customer":{"email":"a;b@c"}}"#,
        ]
        for body in fields {
            #expect(verify(body, signedString: "irrelevant") == .rejected(.separatorInSignedField), "\(body)")
        }
        let unsigned = #"{"event":"e","order_id":1,"status":"a;b","amount":"1;2","external_id":";"}"#
        #expect(verify(unsigned, signedString: "secret_key;e;1;;;;").isVerified)
        #expect(RejectReason.separatorInSignedField.rawValue == "separator_in_signed_field")
    }

    @Test("product.delivered with status deleted stays unknown, even after succeeded")
    func checkoutDeleted() {
        for previous in [nil, PaymentStatus.succeeded, .refunded, .created] as [PaymentStatus?] {
            #expect(Noventiq.status(event: "product.delivered", status: "deleted", previousStatus: previous) == .unknown)
            #expect(Noventiq.status(event: "subscription.cancelled", status: "deleted", previousStatus: previous) == .unknown)
        }
        #expect(normalize(#"{"event":"product.delivered","order_id":1,"status":"deleted"}"#, previous: .succeeded).status == .unknown)
    }

    @Test("an amount changed under a genuine signature verifies, and the event names amount as unsigned")
    func amountTampering() {
        let genuine = #"{"event":"order.payment.succeeded","order_id":7,"currency":"EUR","amount":"10.00","status":"paid"}"#
        let tampered = genuine.replacing("10.00", with: "99999.99")
        #expect(verify(tampered, signedString: "secret_key;order.payment.succeeded;7;;;EUR;").isVerified)
        let e = normalize(tampered)
        #expect(e.amount == "99999.99")
        #expect(e.unsignedFields == ["merchant_ref", "provider_status", "amount", "occurred_at", "data"])
        let text = String(decoding: e.jsonBytes(data: Array(tampered.utf8)), as: UTF8.self)
        #expect(text.contains(#""unsigned":["merchant_ref","provider_status","amount","occurred_at","data"]"#))
    }

    @Test("the status is listed as unsigned exactly when the unsigned status changed it")
    func statusCoverage() {
        let events = [
            "order.created", "order.payment.succeeded", "order.payment.failed", "product.returned", "order.deleted", "order.expired",
            "product.delivered", "subscription.created", "x",
        ]
        let statuses: [String?] = [nil, "paid", "not paid", "deleted", "terminated"]
        let previous: [PaymentStatus?] = [nil, .created, .succeeded, .refunded, .failed]
        for event in events {
            for p in previous {
                let unrefined = normalize(#"{"event":"\#(event)","order_id":1}"#, previous: p)
                for s in statuses {
                    let statusMember = s.map { #","status":"\#($0)""# } ?? ""
                    let e = normalize(#"{"event":"\#(event)","order_id":1\#(statusMember)}"#, previous: p)
                    let changed = e.status != unrefined.status
                    #expect(e.unsignedFields.contains("status") == changed, "\(event) \(s ?? "-") after \(p?.rawValue ?? "-")")
                }
            }
        }
    }

    @Test("body-signing schemes leave nothing unsigned ([]); none leaves every provider field unsigned")
    func otherSchemes() {
        let body = #"{"event":"order.created","order_id":1}"#
        #expect(normalize(body, verifiedBy: "hmac-sha256-hex").unsignedFields == [])
        #expect(normalize(body, verifiedBy: "rsa-sha256").unsignedFields == [])
        let all = ["payment_id", "merchant_ref", "status", "provider_status", "provider_event", "amount", "currency", "occurred_at", "data"]
        #expect(normalize(body, verifiedBy: "none").unsignedFields == all)
        #expect(normalize(body, verifiedBy: "some-future-scheme").unsignedFields == all)
        let text = String(decoding: normalize(body, verifiedBy: "hmac-sha256-hex").jsonBytes(data: nil), as: UTF8.self)
        #expect(text.contains(#""verified_by":"hmac-sha256-hex","unsigned":[],"#))
    }
}
