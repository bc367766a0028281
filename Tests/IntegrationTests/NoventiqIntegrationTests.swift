import Glibc
import PayhookCore
import PayhookProviders
import Testing

/// Findings 4 and 8 of the hardening issue through the real binary: Noventiq's partial signature
/// (the separator, the status, the unsigned fields in the event and payment JSON) and the
/// per-source `max_body_bytes`.
@Suite(.serialized) struct NoventiqIntegrationTests {
    func noventiqPost(_ body: String, signedString: String, source: String = "noventiq", extraHeaders: String = "") -> String {
        let signature = Encoding.hex(Crypto.sha512(Array(signedString.utf8)))
        return "POST /hooks/\(source) HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nsignature: \(signature)\r\n"
            + extraHeaders + "Content-Length: \(body.utf8.count)\r\n\r\n" + body
    }

    @Test("currency \"EUR;USD\" signed over the shifted string is 401 separator_in_signed_field, kept in the rejects store")
    func separator() throws {
        let d = try DaemonProcess(server: ephemeralServer(), sources: fixtureSources)
        let c = try RawClient(d.ingest)
        let body = #"{"event":"order.payment.succeeded","order_id":7,"create_date":"d","currency":"EUR;USD","customer":{"email":"e"}}"#
        try c.send(noventiqPost(body, signedString: "secret_key;order.payment.succeeded;7;d;;EUR;USD;e"))
        let answer = try #require(c.readAnswer())
        #expect(answer.status == 401)
        #expect(json(answer)?["error"]?["code"]?.stringValue == "bad_signature")
        #expect(answer.body.contains("separator"), "\(answer.body)")
        var listed = ""
        for _ in 0..<200 {  // the rejects store writes off the loop thread
            listed = try runCLI(["rejects", "list", "--dir", d.dir + "/var"], dir: d.dir).stdout
            if !listed.isEmpty { break }
            usleep(10_000)
        }
        #expect(listed.contains(#""reason":"bad_signature: separator_in_signed_field""#), "\(listed)")
        let admin = try RawClient(d.admin)
        try admin.send(get("/v1/payments/noventiq/7"))
        #expect(admin.readAnswer()?.status == 404)
    }

    @Test("an amount changed under a genuine signature is stored but named unsigned in the event and the payment")
    func amountTampering() throws {
        let d = try DaemonProcess(server: ephemeralServer(), sources: fixtureSources)
        let c = try RawClient(d.ingest)
        let body = #"{"event":"order.payment.succeeded","order_id":8,"currency":"EUR","amount":"99999.99","status":"paid"}"#
        try c.send(noventiqPost(body, signedString: "secret_key;order.payment.succeeded;8;;;EUR;"))
        #expect(c.readAnswer()?.status == 200)
        let admin = try RawClient(d.admin)
        try admin.send(get("/v1/payments/noventiq/8"))
        let payment = try #require(json(admin.readAnswer()))
        #expect(payment["amount"]?.stringValue == "99999.99")
        let unsigned = ["merchant_ref", "provider_status", "amount"].map { JSONValue.string($0) }
        #expect(payment["unsigned"] == .array(unsigned))
        try admin.send(get("/v1/payments/noventiq/8/events"))
        let event = try #require(json(admin.readAnswer())?["events"]?[0])
        #expect(event["unsigned"] == .array((["merchant_ref", "provider_status", "amount", "occurred_at", "data"]).map { .string($0) }))
    }

    @Test("product.delivered with status deleted after succeeded stays unknown; the payment stays succeeded")
    func deliveredDeleted() throws {
        let d = try DaemonProcess(server: ephemeralServer(), sources: fixtureSources)
        let c = try RawClient(d.ingest)
        try c.send(
            noventiqPost(
                #"{"event":"order.payment.succeeded","order_id":9,"status":"paid"}"#, signedString: "secret_key;order.payment.succeeded;9;;;;"))
        #expect(c.readAnswer()?.status == 200)
        try c.send(
            noventiqPost(#"{"event":"product.delivered","order_id":9,"status":"deleted"}"#, signedString: "secret_key;product.delivered;9;;;;"))
        let answer = try #require(json(c.readAnswer()))
        let admin = try RawClient(d.admin)
        try admin.send(get("/v1/events?after=\((answer["seq"]?.numberText).flatMap { UInt64($0) }.map { $0 - 1 } ?? 0)&limit=1"))
        #expect(json(admin.readAnswer())?["events"]?[0]?["status"]?.stringValue == "unknown")
        try admin.send(get("/v1/payments/noventiq/9"))
        let payment = try #require(json(admin.readAnswer()))
        #expect(payment["status"]?.stringValue == "succeeded")
    }

    @Test("a Nonstopay payment says unsigned [] (its signature covers the whole body)")
    func nonstopayUnsigned() throws {
        let d = try DaemonProcess(server: ephemeralServer(), sources: fixtureSources)
        let c = try RawClient(d.ingest)
        try c.send(nonstopayRequest("nonstopay-payin", body: #"{"status":"invoice:paid","id":"5","amount":"1.00"}"#))
        #expect(c.readAnswer()?.status == 200)
        let admin = try RawClient(d.admin)
        try admin.send(get("/v1/payments/nonstopay-payin/5"))
        #expect(json(admin.readAnswer())?["unsigned"] == .array([]))
    }

    /// A Noventiq body of exactly `n` bytes (padding in an unsigned field).
    func body(_ n: Int) -> String {
        let head = #"{"event":"order.created","order_id":11,"order_name":""#
        return head + String(repeating: "x", count: n - head.utf8.count - 2) + "\"}"
    }

    @Test("[[sources]] max_body_bytes = 2048: a body of 2048 bytes is verified, 2049 is 413 and the connection closes")
    func sourceBodyLimit() throws {
        let sources = fixtureSources.replacingOccurrences("secret = \"secret_key\"", "secret = \"secret_key\"\nmax_body_bytes = 2048")
        let d = try DaemonProcess(server: ephemeralServer(), sources: sources)
        let c = try RawClient(d.ingest)
        #expect(body(2048).utf8.count == 2048)
        try c.send(noventiqPost(body(2048), signedString: "secret_key;order.created;11;;;;"))
        #expect(c.readAnswer()?.status == 200)
        try c.send(noventiqPost(body(2049), signedString: "secret_key;order.created;11;;;;"))
        let over = try #require(c.readAnswer())
        #expect(over.status == 413)
        #expect(over.body.contains("2048") && over.body.contains("noventiq"), "\(over.body)")
        #expect(c.isClosedByPeer())
        // Another source keeps the server's limit.
        let other = try RawClient(d.ingest)
        let big = #"{"status":"invoice:paid","id":"12","description":""# + String(repeating: "y", count: 4000) + "\"}"
        try other.send(nonstopayRequest("nonstopay-payin", body: big))
        #expect(other.readAnswer()?.status == 200)
    }

    @Test("[[sources]] max_body_bytes: 413 as soon as the head announces more, before any body byte is sent")
    func sourceBodyLimitEarly() throws {
        let sources = fixtureSources.replacingOccurrences("secret = \"secret_key\"", "secret = \"secret_key\"\nmax_body_bytes = 2048")
        let d = try DaemonProcess(server: ephemeralServer(), sources: sources)
        let c = try RawClient(d.ingest)
        try c.send("POST /hooks/noventiq HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 2049\r\n\r\n")
        #expect(c.readAnswer()?.status == 413)
        let chunked = try RawClient(d.ingest)
        let head = "POST /hooks/noventiq HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        try chunked.send(head + "400\r\n" + String(repeating: "a", count: 1024) + "\r\n401\r\n")
        #expect(chunked.readAnswer()?.status == 413)
        let fits = try RawClient(d.ingest)
        try fits.send(head + "400\r\n" + String(repeating: "a", count: 1024) + "\r\n400\r\n" + String(repeating: "a", count: 1024) + "\r\n0\r\n\r\n")
        #expect(fits.readAnswer()?.status == 401, "2048 chunked bytes are read and reach the signature check")
    }
}
