import Glibc
import PayhookCore
import Testing

/// Dedup and the payment index compare identities byte for byte, and event ids escape `:` and
/// `%` inside components, so that distinct notifications are never answered `duplicate`.
@Suite(.serialized) struct DedupIdentityIntegrationTests {
    /// Sends `body` signed to nonstopay-payin; returns the answer's JSON.
    func post(_ c: RawClient, _ body: String) throws -> JSONValue {
        try c.send(nonstopayRequest("nonstopay-payin", body: body))
        let answer = try #require(c.readAnswer())
        #expect(answer.status == 200, "\(answer.body)")
        return try #require(json(answer))
    }

    func payment(_ d: DaemonProcess, _ encodedID: String) throws -> JSONValue? {
        let admin = try RawClient(d.admin)
        try admin.send(get("/v1/payments/nonstopay-payin/\(encodedID)"))
        let answer = try #require(admin.readAnswer())
        return answer.status == 200 ? json(answer) : nil
    }

    @Test("payment 7:invoice with status paid and payment 7 with invoice:paid are two events")
    func separatorInComponents() throws {
        let d = try DaemonProcess(server: ephemeralServer(), sources: fixtureSources)
        let c = try RawClient(d.ingest)
        let a = try post(c, #"{"status":"paid","id":"7:invoice"}"#)
        let b = try post(c, #"{"status":"invoice:paid","id":"7"}"#)
        #expect(a["duplicate"]?.boolValue == false && b["duplicate"]?.boolValue == false, "\(a) \(b)")
        #expect(a["seq"] != b["seq"])
        #expect(a["id"]?.stringValue == "nonstopay-payin:7%3Ainvoice:paid")
        #expect(b["id"]?.stringValue == "nonstopay-payin:7:invoice%3Apaid")
        #expect(try payment(d, "7%3Ainvoice")?["events"]?.numberText == "1")
        #expect(try payment(d, "7")?["events"]?.numberText == "1")
        // And each is still deduplicated against itself.
        #expect(try post(c, #"{"status":"paid","id":"7:invoice"}"#)["duplicate"]?.boolValue == true)
    }

    @Test("NFC and NFD spellings of one payment id are two payments")
    func canonicalEquivalence() throws {
        let d = try DaemonProcess(server: ephemeralServer(), sources: fixtureSources)
        let c = try RawClient(d.ingest)
        let nfc = try post(c, #"{"status":"invoice:paid","id":"caf\u00e9","amount":"1.00"}"#)
        let nfd = try post(c, #"{"status":"invoice:paid","id":"cafe\u0301","amount":"2.00"}"#)
        #expect(nfc["duplicate"]?.boolValue == false && nfd["duplicate"]?.boolValue == false, "\(nfc) \(nfd)")
        #expect(nfc["seq"] != nfd["seq"])
        let first = try #require(try payment(d, "caf%C3%A9"))
        let second = try #require(try payment(d, "cafe%CC%81"))
        #expect(first["amount"]?.stringValue == "1.00" && first["events"]?.numberText == "1")
        #expect(second["amount"]?.stringValue == "2.00" && second["events"]?.numberText == "1")
        // After a restart (recovery from the log) they are still two.
        d.signal(SIGTERM)
        #expect(d.waitExit() == 0)
        unlink(d.dir + "/ready")
        let again = try DaemonProcess(server: ephemeralServer(), sources: fixtureSources, dir: d.dir)
        #expect(try payment(again, "cafe%CC%81")?["amount"]?.stringValue == "2.00")
        let c2 = try RawClient(again.ingest)
        let resent = try post(c2, #"{"status":"invoice:paid","id":"cafe\u0301","amount":"2.00"}"#)
        #expect(resent["duplicate"]?.boolValue == true && resent["seq"] == nfd["seq"])
    }
}
