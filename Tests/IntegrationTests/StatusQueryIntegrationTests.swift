import Glibc
import PayhookCore
import Testing

/// `GET /v1/payments/{source}/{payment_id}` over HTTP/1.1 through the real binary. The route is
/// immediate: the connection answers it straight from the parsed head (`Router.withImmediateRoute`),
/// and every other way (HTTP/2, an admin token to check) through the ordinary handler. These
/// checks hold the fast way to the same answers, and to the connection's ordering and closing.
@Suite(.serialized) struct StatusQueryIntegrationTests {
    static let token = "status-test-token-0123456789"

    func daemon(_ server: String = "") throws -> DaemonProcess {
        try DaemonProcess(server: ephemeralServer(server), sources: fixtureSources)
    }

    /// Ingests one event of payment `id` of 10.50 with Nonstopay status `status`.
    func event(_ d: DaemonProcess, id: String, status: String) throws {
        let c = try RawClient(d.ingest)
        try c.send(nonstopayRequest("nonstopay-payin", body: "{\"status\":\"\(status)\",\"id\":\"\(id)\",\"amount\":\"10.50\"}"))
        #expect(c.readAnswer()?.status == 200)
    }

    /// Ingests one paid payment `id` of 10.50.
    func pay(_ d: DaemonProcess, id: String) throws { try event(d, id: id, status: "invoice:paid") }

    @Test("GET, HEAD, a percent-encoded id, an unknown one and a bad escape answer as the contract says")
    func answers() throws {
        let d = try daemon()
        try pay(d, id: "p-77")
        let admin = try RawClient(d.admin)
        try admin.send(get("/v1/payments/nonstopay-payin/p-77"))
        let got = try #require(admin.readAnswer())
        #expect(got.status == 200 && got.header("content-type") == "application/json")
        let body = try #require(json(got))
        #expect(body["payment_id"]?.stringValue == "p-77" && body["status"]?.stringValue == "succeeded")
        #expect(body["amount"]?.stringValue == "10.50" && body["events"]?.numberText == "1")

        try admin.send("HEAD /v1/payments/nonstopay-payin/p-77 HTTP/1.1\r\nHost: test\r\n\r\n")
        let head = try #require(admin.readAnswer(headRequest: true))
        #expect(head.status == 200 && head.header("content-length") == got.header("content-length") && head.body.isEmpty)

        // %70 is "p": the same payment, the same bytes.
        try admin.send(get("/v1/payments/nonstopay-payin/%70-77"))
        #expect(admin.readAnswer()?.body == got.body)

        try admin.send(get("/v1/payments/nonstopay-payin/p-78"))
        let missing = try #require(admin.readAnswer())
        #expect(missing.status == 404)
        #expect(json(missing)?["error"]?["message"]?.stringValue?.contains("/v1/payments/nonstopay-payin/p-78") == true)

        // %FF decodes to a byte that is not UTF-8: the route refuses it (the parser took the escape).
        try admin.send(get("/v1/payments/nonstopay-payin/p%FF"))
        let bad = try #require(admin.readAnswer())
        #expect(bad.status == 400 && json(bad)?["error"]?["code"]?.stringValue == "bad_request")

        // A method the route does not take still gets 405 with Allow (the ordinary way).
        try admin.send("DELETE /v1/payments/nonstopay-payin/p-77 HTTP/1.1\r\nHost: test\r\n\r\n")
        let refused = try #require(admin.readAnswer())
        #expect(refused.status == 405 && refused.header("allow")?.contains("GET") == true)
    }

    @Test("a status query pipelined behind a long poll waits for it: answers leave in request order")
    func pipelinedOrder() throws {
        let d = try daemon()
        try pay(d, id: "p-1")
        let admin = try RawClient(d.admin)
        // The long poll waits for an event after seq 1 (none comes): about a second.
        try admin.send(get("/v1/events?after=1&wait=1") + get("/v1/payments/nonstopay-payin/p-1") + get("/healthz"))
        let first = try #require(admin.readAnswer())
        #expect(json(first)?["events"]?.arrayElements?.isEmpty == true)
        let second = try #require(admin.readAnswer())
        #expect(json(second)?["payment_id"]?.stringValue == "p-1")
        #expect(admin.readAnswer()?.status == 200)
    }

    @Test("Connection: close on a status query: the answer says so and the connection ends")
    func closes() throws {
        let d = try daemon()
        try pay(d, id: "p-2")
        let admin = try RawClient(d.admin)
        try admin.send(get("/v1/payments/nonstopay-payin/p-2", close: true))
        let answer = try #require(admin.readAnswer())
        #expect(answer.status == 200 && answer.closes)
        #expect(admin.isClosedByPeer())
    }

    @Test("with admin_token a status query needs the bearer token, and gets the same answer with it")
    func token() throws {
        let d = try daemon("admin_token = \"\(Self.token)\"")
        try pay(d, id: "p-3")
        let admin = try RawClient(d.admin)
        try admin.send(get("/v1/payments/nonstopay-payin/p-3"))
        #expect(admin.readAnswer()?.status == 401)
        let authorized = try RawClient(d.admin)
        try authorized.send("GET /v1/payments/nonstopay-payin/p-3 HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer \(Self.token)\r\n\r\n")
        let answer = try #require(authorized.readAnswer())
        #expect(answer.status == 200 && json(answer)?["payment_id"]?.stringValue == "p-3")
    }

    func metric(_ d: DaemonProcess, _ name: String) throws -> String? {
        let c = try RawClient(d.admin)
        try c.send(get("/metrics"))
        let text: String = c.readAnswer()?.body ?? ""
        let lines: [Substring] = text.split(separator: "\n")
        return lines.first { $0.hasPrefix(name + " ") }.map { String($0.dropFirst(name.count + 1)) }
    }

    @Test("a kept answer follows its payment: the second query is a hit, a new event gives a new answer; 0 entries keep none", arguments: [8192, 0])
    func keptAnswers(entries: Int) throws {
        let d = try daemon("status_cache_entries = \(entries)")
        try event(d, id: "p-9", status: "invoice:pending")
        let admin = try RawClient(d.admin)
        try admin.send(get("/v1/payments/nonstopay-payin/p-9"))
        let first = try #require(admin.readAnswer())
        try admin.send(get("/v1/payments/nonstopay-payin/p-9"))
        let second = try #require(admin.readAnswer())
        #expect(json(first)?["status"]?.stringValue == "pending" && second.body == first.body)
        #expect(try metric(d, "payhook_status_cache_hits_total") == (entries > 0 ? "1" : "0"))

        try event(d, id: "p-9", status: "invoice:paid")
        try admin.send(get("/v1/payments/nonstopay-payin/p-9"))
        let third = try #require(json(admin.readAnswer()))
        #expect(third["status"]?.stringValue == "succeeded" && third["events"]?.numberText == "2")
        // HEAD and GET of the new state agree (one from the kept answer when there is one).
        try admin.send("HEAD /v1/payments/nonstopay-payin/p-9 HTTP/1.1\r\nHost: test\r\n\r\n")
        let head = try #require(admin.readAnswer(headRequest: true))
        try admin.send(get("/v1/payments/nonstopay-payin/p-9"))
        let fourth = try #require(admin.readAnswer())
        #expect(head.header("content-length") == fourth.header("content-length") && json(fourth)?["status"]?.stringValue == "succeeded")
        #expect(try metric(d, "payhook_status_cache_hits_total") == (entries > 0 ? "3" : "0"))
        #expect(try metric(d, "payhook_status_cache_misses_total") == (entries > 0 ? "2" : "0"))
    }
}
