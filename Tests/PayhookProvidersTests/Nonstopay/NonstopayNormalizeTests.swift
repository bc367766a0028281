import PayhookCore
import PayhookProviders
import Testing

@Suite struct NonstopayNormalizeTests {
    func event(_ body: String, kind: String = "payin") -> NormalizedEvent {
        Providers.normalize(
            TestSources.nonstopay(kind: kind), body: TestSources.bytes(body), receivedAtMs: 0, verifiedBy: "hmac-sha256-hex", previousStatus: nil)
    }

    @Test("a flat body and the same fields wrapped in data normalize alike")
    func wrapped() {
        let fields = #"{"status":"invoice:paid","id":5,"devise":"GBP","amount":"9.99","callbackJson":"r","datetime":"2023-01-01 00:00:00"}"#
        var flat = event(fields)
        var wrapped = event(#"{"data":"# + fields + "}")
        #expect(flat.quarantined == nil)
        flat.receivedAtMs = wrapped.receivedAtMs
        #expect(flat == wrapped)
        #expect(flat.id == "nonstopay-payin:5:invoice%3Apaid")
        #expect(flat.providerEvent == "invoice:paid" && flat.providerStatus == "invoice:paid")
        #expect(flat.occurredAt == "2023-01-01 00:00:00")
    }

    @Test("a top-level status wins over a data member (the body is flat)")
    func flatWithData() {
        let e = event(#"{"status":"invoice:created","id":1,"data":{"status":"invoice:paid","id":2}}"#)
        #expect(e.paymentID == "1" && e.status == .created)
    }

    @Test("a number id and a string id name the same payment")
    func idTypes() {
        #expect(event(#"{"status":"invoice:paid","id":1736}"#).id == event(#"{"status":"invoice:paid","id":"1736"}"#).id)
    }

    @Test(
        "payout ids are qualified by the status family; invoices are not",
        arguments: [
            ("payout", "fund:success", "fund:19"), ("payout", "payment:pending", "payment:19"), ("payout", "FUND:created", "fund:19"),
            ("payout", "success", "19"), ("payin", "fund:success", "19"), ("nft", "invoice:paid", "19"),
        ])
    func payoutIDs(kind: String, status: String, expected: String) {
        let e = event(#"{"status":"\#(status)","id":"19"}"#, kind: kind)
        #expect(e.paymentID == expected)
        #expect(e.id == "nonstopay-\(kind):\(EventID.escape(expected)):\(EventID.escape(status))")
    }

    @Test(
        "amounts keep their exact text; non-numeric amounts are absent",
        arguments: [
            (#""amount":15.04"#, "15.04"), (#""amount":"1.10""#, "1.10"), (#""amount":0.1"#, "0.1"),
            (#""amount":"1,000 usdc""#, nil), (#""amount":"1 EUR""#, nil), (#""amount":null"#, nil), (#""amount":{"v":1}"#, nil), (#""x":1"#, nil),
        ] as [(String, String?)])
    func amounts(member: String, expected: String?) {
        let e = event(#"{"status":"invoice:paid","id":1,\#(member)}"#)
        #expect(e.quarantined == nil)
        #expect(e.amount == expected)
    }

    @Test("currency is devise, else currency; merchant_ref is a string callbackJson or merchant_data only")
    func currencyAndRef() {
        #expect(event(#"{"status":"invoice:paid","id":1,"devise":"ZAR","currency":"USD"}"#).currency == "ZAR")
        #expect(event(#"{"status":"invoice:paid","id":1,"currency":"INR"}"#).currency == "INR")
        #expect(event(#"{"status":"invoice:paid","id":1,"devise":5}"#).currency == nil)
        #expect(event(#"{"status":"invoice:paid","id":1,"callbackJson":{"txId":"q"}}"#).merchantRef == nil)
        #expect(event(#"{"status":"invoice:paid","id":1,"callbackJson":null}"#).merchantRef == nil)
        #expect(event(#"{"status":"fund:success","id":1,"merchant_data":"m-1"}"#, kind: "payout").merchantRef == "m-1")
    }

    @Test("occurred_at is datetime verbatim, else status_date, else absent")
    func occurredAt() {
        #expect(event(#"{"status":"invoice:paid","id":1,"datetime":"2023-04-12 19:09:48","status_date":"x"}"#).occurredAt == "2023-04-12 19:09:48")
        #expect(event(#"{"status":"fund:success","id":1,"status_date":"2024-06-17 03:28:01"}"#, kind: "payout").occurredAt == "2024-06-17 03:28:01")
        #expect(event(#"{"status":"invoice:paid","id":1,"create_date":"2024-06-17 03:28:01"}"#).occurredAt == nil)
    }

    @Test("an unknown status is stored as unknown, not quarantined, and keeps its own identity")
    func unknownStatus() {
        let e = event(#"{"status":"invoice:on_hold","id":1902}"#)
        #expect(e.quarantined == nil && e.status == .unknown)
        #expect(e.id == "nonstopay-payin:1902:invoice%3Aon_hold")
    }

    @Test(
        "quarantine reasons name the first field that is missing or of the wrong type",
        arguments: [
            (#"{"id":1}"#, "missing_field:status"), (#"{"status":null,"id":1}"#, "missing_field:status"),
            (#"{"status":"","id":1}"#, "empty_field:status"), (#"{"status":["invoice:paid"],"id":1}"#, "wrong_type:status"),
            (#"{"status":"invoice:paid","id":{"n":1}}"#, "wrong_type:id"), (#"{"status":"invoice:paid","id":-1e3}"#, "wrong_type:id"),
            (#"{"status":"invoice:paid"}"#, "missing_field:id"), (#"{"data":{"id":1}}"#, "missing_field:status"), ("null", "not_object"),
            ("\"invoice:paid\"", "not_object"), (#"{"status":"invoice:paid","id":1}x"#, "not_json"),
        ])
    func quarantine(body: String, reason: String) {
        let e = event(body)
        #expect(e.quarantined == reason)
        #expect(e.id.hasPrefix("nonstopay-payin:quarantine:"))
    }
}
