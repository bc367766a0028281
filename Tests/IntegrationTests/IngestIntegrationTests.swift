import Glibc
import PayhookCore
import Testing

/// `POST /hooks/{source}` through the real binary: every shared fixture, dedup, ordering of
/// statuses, quarantine, the error answers of the pipeline, and what survives a restart.
@Suite(.serialized) struct IngestIntegrationTests {
    func daemon(_ extra: String = "") throws -> DaemonProcess {
        try DaemonProcess(server: ephemeralServer(extra), sources: fixtureSources)
    }

    /// The stored event of `seq`, as `/v1/events` gives it.
    func event(_ admin: RawClient, seq: UInt64) throws -> JSONValue {
        try admin.send(get("/v1/events?after=\(seq - 1)&limit=1"))
        let page = try #require(json(admin.readAnswer()))
        return try #require(page["events"]?[0])
    }

    @Test("every fixture: the expected answer, and the normalized event the fixture expects")
    func fixtures() throws {
        let d = try daemon()
        let ingest = try RawClient(d.ingest)
        let admin = try RawClient(d.admin)
        for f in try FixtureCase.all() {
            try ingest.send(rawPost("/hooks/\(f.source)", headers: f.headers, body: f.body))
            let answer = try #require(ingest.readAnswer(), "\(f.name): no answer")
            #expect(answer.status == f.http, "\(f.name): \(answer.body)")
            #expect(answer.header("content-type") == "application/json")
            guard f.http == 200 else {
                #expect(json(answer)?["error"]?["code"]?.stringValue == "bad_signature", "\(f.name)")
                continue
            }
            let body = try #require(json(answer))
            #expect(body["ok"]?.boolValue == true && body["duplicate"]?.boolValue == false, "\(f.name)")
            let seq = try #require(body["seq"]?.numberText.flatMap { UInt64($0) })
            let e = try event(admin, seq: seq)
            #expect(e["schema"]?.stringValue == "payhook.event/v1")
            #expect(e["id"]?.stringValue == body["id"]?.stringValue)
            for key in ["payment_id", "merchant_ref", "status", "provider_status", "amount", "currency"] {
                guard let want = f.expect[key] else { continue }
                #expect(e[key]?.stringValue == want, "\(f.name): \(key)")
            }
            #expect(e["data"]?.objectMembers != nil, "\(f.name): data is the parsed body")
        }
    }

    @Test("a repeat answers 200 duplicate with the original seq and changes nothing")
    func duplicate() throws {
        let d = try daemon()
        let c = try RawClient(d.ingest)
        let body = #"{"status":"invoice:paid","id":"77","devise":"USD","amount":"10.50"}"#
        try c.send(nonstopayRequest("nonstopay-payin", body: body))
        let first = try #require(json(c.readAnswer()))
        try c.send(nonstopayRequest("nonstopay-payin", body: body))
        let again = try #require(json(c.readAnswer()))
        #expect(again["duplicate"]?.boolValue == true)
        #expect(again["seq"] == first["seq"])
        #expect(again["id"]?.stringValue == "nonstopay-payin:77:invoice%3Apaid")
        let admin = try RawClient(d.admin)
        try admin.send(get("/v1/payments/nonstopay-payin/77"))
        let state = try #require(json(admin.readAnswer()))
        #expect(state["events"]?.numberText == "1")
        #expect(state["amount"]?.stringValue == "10.50")
    }

    @Test("a late lower-ranked notification is recorded but does not move the status back")
    func noBackwards() throws {
        let d = try daemon()
        let c = try RawClient(d.ingest)
        try c.send(nonstopayRequest("nonstopay-payin", body: #"{"status":"invoice:paid","id":"5"}"#))
        #expect(c.readAnswer()?.status == 200)
        try c.send(nonstopayRequest("nonstopay-payin", body: #"{"status":"invoice:created","id":"5"}"#))
        #expect(c.readAnswer()?.status == 200)
        try c.send(nonstopayRequest("nonstopay-payin", body: #"{"status":"invoice:on_hold","id":"5"}"#))
        #expect(c.readAnswer()?.status == 200)
        let admin = try RawClient(d.admin)
        try admin.send(get("/v1/payments/nonstopay-payin/5"))
        let state = try #require(json(admin.readAnswer()))
        #expect(state["status"]?.stringValue == "succeeded")
        #expect(state["events"]?.numberText == "3")
        try admin.send(get("/v1/payments/nonstopay-payin/5/events"))
        let events = try #require(json(admin.readAnswer())?["events"]?.arrayElements)
        #expect(events.map { $0["status"]?.stringValue } == ["succeeded", "created", "unknown"])
        try admin.send(get("/v1/payments/nonstopay-payin/6"))
        #expect(admin.readAnswer()?.status == 404)
    }

    @Test("an authentic body that is not understood is stored, answered 200 and flagged")
    func quarantine() throws {
        let d = try daemon()
        let c = try RawClient(d.ingest)
        try c.send(nonstopayRequest("nonstopay-payin", body: "not json at all"))
        let a = try #require(json(c.readAnswer()))
        #expect(a["ok"]?.boolValue == true)
        #expect(a["quarantined"]?.stringValue == "not_json")
        try c.send(nonstopayRequest("nonstopay-payin", body: #"{"status":"invoice:paid"}"#))
        #expect(json(c.readAnswer())?["quarantined"]?.stringValue == "missing_field:id")
        let admin = try RawClient(d.admin)
        try admin.send(get("/metrics"))
        #expect(admin.readAnswer()?.body.contains(#"payhook_ingest_total{source="nonstopay-payin",result="quarantined"} 2"#) == true)
    }

    @Test("an authentic body with a field beyond the log's bounds is stored quarantined, not refused")
    func oversizedField() throws {
        let d = try daemon()
        let c = try RawClient(d.ingest)
        let huge = String(repeating: "r", count: 9000)
        try c.send(nonstopayRequest("nonstopay-payin", body: "{\"status\":\"invoice:paid\",\"id\":\"7\",\"callbackJson\":\"\(huge)\"}"))
        let a = try #require(json(c.readAnswer()))
        #expect(a["ok"]?.boolValue == true && a["quarantined"]?.stringValue == "field_too_long:merchant_ref")
        try c.send(nonstopayRequest("nonstopay-payin", body: "{\"status\":\"invoice:paid\",\"id\":\"8\"}", extraHeaders: "User-Agent: \(huge)\r\n"))
        #expect(c.readAnswer()?.status == 200, "a long audit header is cut, not a reason to refuse")
    }

    @Test("pipeline errors: 404 unknown source (any method), 405 with Allow, 415, 401, 403 allow_from")
    func errors() throws {
        let d = try daemon()
        let c = try RawClient(d.ingest)
        try c.send(get("/hooks/nope"))
        #expect(json(c.readAnswer())?["error"]?["code"]?.stringValue == "unknown_source")
        try c.send(get("/hooks/noventiq"))
        let notAllowed = try #require(c.readAnswer())
        #expect(notAllowed.status == 405 && notAllowed.header("allow") == "POST")
        try c.send("POST /hooks/noventiq HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n{}")
        #expect(c.readAnswer()?.status == 415)
        try c.send("POST /hooks/noventiq HTTP/1.1\r\nHost: t\r\nContent-Type: Application/JSON; charset=utf-8\r\nContent-Length: 2\r\n\r\n{}")
        #expect(json(c.readAnswer())?["error"]?["code"]?.stringValue == "bad_signature")
        let body = #"{"status":"invoice:paid","id":"9"}"#
        try c.send(nonstopayRequest("guarded", body: body))
        #expect(json(c.readAnswer())?["error"]?["code"]?.stringValue == "forbidden")
        // The peer (127.0.0.1) is a trusted proxy, so X-Real-IP names the client.
        try c.send(nonstopayRequest("guarded", body: body, extraHeaders: "X-Real-IP: 203.0.113.9\r\n"))
        #expect(c.readAnswer()?.status == 200)
        try c.send(nonstopayRequest("guarded", body: body, extraHeaders: "X-Forwarded-For: 198.51.100.1, 203.0.113.9\r\n"))
        #expect(json(c.readAnswer())?["duplicate"]?.boolValue == true)
    }

    @Test("max_body_bytes: a body of N bytes is read, N+1 is 413 and the connection closes")
    func bodyLimit() throws {
        let limit = 1024  // the smallest max_body_bytes the config accepts
        let d = try daemon("max_body_bytes = \(limit)")
        let c = try RawClient(d.ingest)
        let fits = #"{"status":"invoice:paid","id":"1","description":"#
        func body(_ n: Int) -> String { fits + "\"" + String(repeating: "x", count: n - fits.utf8.count - 3) + "\"}" }
        #expect(body(limit).utf8.count == limit)
        try c.send(nonstopayRequest("nonstopay-payin", body: body(limit)))
        #expect(c.readAnswer()?.status == 200)
        try c.send(nonstopayRequest("nonstopay-payin", body: body(limit + 1)))
        #expect(c.readAnswer()?.status == 413)
        #expect(c.isClosedByPeer())
    }

    @Test("acknowledged events, statuses and the seq counter survive a restart")
    func restart() throws {
        let dir = DaemonProcess.makeTempDir()
        var d: DaemonProcess? = try DaemonProcess(server: ephemeralServer(), sources: fixtureSources, dir: dir)
        let c = try RawClient(d!.ingest)
        try c.send(nonstopayRequest("nonstopay-payin", body: #"{"status":"invoice:paid","id":"31"}"#))
        let first = try #require(json(c.readAnswer()))
        d!.signal(SIGTERM)
        #expect(d!.waitExit() == 0)
        d = nil
        unlink(dir + "/ready")
        let again = try DaemonProcess(server: ephemeralServer(), sources: fixtureSources, dir: dir)
        let admin = try RawClient(again.admin)
        try admin.send(get("/v1/payments/nonstopay-payin/31"))
        #expect(json(admin.readAnswer())?["status"]?.stringValue == "succeeded")
        let c2 = try RawClient(again.ingest)
        try c2.send(nonstopayRequest("nonstopay-payin", body: #"{"status":"invoice:paid","id":"31"}"#))
        let dup = try #require(json(c2.readAnswer()))
        #expect(dup["duplicate"]?.boolValue == true && dup["seq"] == first["seq"])
        try c2.send(nonstopayRequest("nonstopay-payin", body: #"{"status":"invoice:paid","id":"32"}"#))
        let next = try #require(json(c2.readAnswer())?["seq"]?.numberText.flatMap { UInt64($0) })
        #expect(next > (first["seq"]?.numberText.flatMap { UInt64($0) } ?? .max))
    }

    @Test("long polls: several waiters are all answered by one event; a waiter that leaves harms nothing")
    func longPolls() throws {
        let d = try daemon()
        let waiters = try (0..<3).map { _ in try RawClient(d.admin) }
        for w in waiters { try w.send(get("/v1/events?after=0&wait=2")) }
        let leaver = try RawClient(d.admin)
        try leaver.send(get("/v1/events?after=0&wait=1"))
        usleep(200_000)
        shutdown(leaver.fd, Int32(SHUT_RDWR))  // the client goes away mid-poll
        let c = try RawClient(d.ingest)
        try c.send(nonstopayRequest("nonstopay-payin", body: #"{"status":"invoice:paid","id":"42"}"#))
        #expect(c.readAnswer()?.status == 200)
        for w in waiters {
            #expect(json(w.readAnswer())?["events"]?[0]?["payment_id"]?.stringValue == "42")
        }
        usleep(1_200_000)  // past the leaver's wait: its timer must already be gone
        let admin = try RawClient(d.admin)
        try admin.send(get("/v1/events?after=1&wait=1"))
        #expect(json(admin.readAnswer())?["events"]?.arrayElements?.isEmpty == true)
        #expect(d.poll() == nil)
    }

    @Test("admin limits: a page holds max_events_page events (N), a larger limit is clamped; wait above max_long_poll_seconds is 400")
    func adminLimits() throws {
        let d = try daemon("max_events_page = 2\nmax_long_poll_seconds = 1")
        let c = try RawClient(d.ingest)
        for id in 1...3 {
            try c.send(nonstopayRequest("nonstopay-payin", body: "{\"status\":\"invoice:paid\",\"id\":\"p\(id)\"}"))
            #expect(c.readAnswer()?.status == 200)
        }
        let admin = try RawClient(d.admin)
        try admin.send(get("/v1/events?after=0&limit=2"))
        #expect(json(admin.readAnswer())?["events"]?.arrayElements?.count == 2)
        try admin.send(get("/v1/events?after=0&limit=3"))
        let clamped = try #require(json(admin.readAnswer()))
        #expect(clamped["events"]?.arrayElements?.count == 2 && clamped["next"]?.numberText == "2")
        try admin.send(get("/v1/events?after=3&wait=1"))
        #expect(admin.readAnswer()?.status == 200)
        try admin.send(get("/v1/events?after=3&wait=2"))
        let tooLong = try #require(admin.readAnswer())
        #expect(tooLong.status == 400 && tooLong.body.contains("wait must be at most 1"))
    }

    @Test("/v1/events pages by seq: duplicate markers take seqs but are not events; next continues the walk")
    func pagesOverMarkers() throws {
        let d = try daemon()
        let c = try RawClient(d.ingest)
        for id in ["a", "a", "b"] {  // seq 1 a, seq 2 the duplicate marker of a, seq 3 b
            try c.send(nonstopayRequest("nonstopay-payin", body: "{\"status\":\"invoice:paid\",\"id\":\"\(id)\"}"))
            #expect(c.readAnswer()?.status == 200)
        }
        let admin = try RawClient(d.admin)
        try admin.send(get("/v1/events?after=0&limit=2"))
        let first = try #require(json(admin.readAnswer()))
        #expect(first["events"]?.arrayElements?.map { $0["payment_id"]?.stringValue } == ["a"])
        #expect(first["next"]?.numberText == "2")
        try admin.send(get("/v1/events?after=2&limit=2"))
        let second = try #require(json(admin.readAnswer()))
        #expect(second["events"]?.arrayElements?.map { $0["payment_id"]?.stringValue } == ["b"])
        #expect(second["next"]?.numberText == "3")
    }

    @Test("long poll: /v1/events?wait= is held until an event is durable, then answered with it")
    func longPoll() throws {
        let d = try daemon()
        let admin = try RawClient(d.admin)
        try admin.send(get("/v1/events?after=0&wait=10"))
        usleep(300_000)
        let c = try RawClient(d.ingest)
        try c.send(nonstopayRequest("nonstopay-payin", body: #"{"status":"invoice:paid","id":"41"}"#))
        #expect(c.readAnswer()?.status == 200)
        let page = try #require(json(admin.readAnswer()))
        #expect(page["events"]?[0]?["payment_id"]?.stringValue == "41")
        #expect(page["next"]?.numberText == "1")
        try admin.send(get("/v1/events?after=1&wait=1"))
        let empty = try #require(json(admin.readAnswer()))
        #expect(empty["events"]?.arrayElements?.isEmpty == true && empty["next"]?.numberText == "1")
        try admin.send(get("/v1/events?after=x"))
        #expect(admin.readAnswer()?.status == 400)
    }
}
