import Glibc
import PayhookCore
import PayhookProviders
import Synchronization
import Testing

/// Hook delivery through the real binary: a receiver in the test process, events posted to
/// ingest, deliveries observed on the receiver's side.
@Suite(.serialized)
struct HookDeliveryIntegrationTests {
    static let statuses = ["invoice:created", "invoice:waiting", "invoice:paid"]

    func hookConfig(_ url: String, extra: String = "") -> String {
        """
        [[hooks]]
        name = "orders"
        url = "\(url)"
        start = "beginning"
        timeout_ms = 2000
        \(extra)
        """
    }

    /// Posts every status of every payment, interleaved (payment 1's first, payment 2's first...).
    func post(_ d: DaemonProcess, payments: [String]) throws {
        let c = try RawClient(d.ingest)
        for status in Self.statuses {
            for id in payments {
                try c.send(nonstopayRequest("nonstopay-payin", body: "{\"status\":\"\(status)\",\"id\":\"\(id)\"}"))
                #expect(c.readAnswer()?.status == 200)
            }
        }
    }

    /// Per payment, the event ids delivered (2xx), in arrival order.
    func deliveredByPayment(_ r: HookReceiver) -> [String: [String]] {
        var out: [String: [String]] = [:]
        for x in r.delivered {
            let id = x.header("Payhook-Event-Id") ?? ""
            let payment = id.split(separator: ":").dropFirst().first.map(String.init) ?? ""
            out[payment, default: []].append(id)
        }
        return out
    }

    /// The event id as sent in `Payhook-Event-Id`: the id itself (it escapes ":" inside a part
    /// as "%3A" and is visible ASCII, so the header carries it unchanged).
    static func headerID(_ payment: String, _ status: String) -> String {
        "nonstopay-payin:\(payment):" + status.replacing(":", with: "%3A")
    }

    func expectInOrder(_ r: HookReceiver, payments: [String]) {
        let byPayment = deliveredByPayment(r)
        for p in payments {
            let expected = Self.statuses.map { Self.headerID(p, $0) }
            #expect(byPayment[p] == expected, "payment \(p): \(byPayment[p] ?? [])")
        }
    }

    @Test("a hook that is down, then up: every event arrives once it is up, in order per payment")
    func downThenUp() throws {
        let port = try HookReceiver.freePort()
        let d = try DaemonProcess(
            server: ephemeralServer(), extraConfig: hookConfig("http://127.0.0.1:\(port)/events"), sources: fixtureSources)
        defer { d.signal(SIGKILL) }
        let payments = ["p1", "p2", "p3"]
        try post(d, payments: payments)
        // Down: attempts fail (connection refused) and are retried with backoff.
        usleep(1_500_000)
        let r = try HookReceiver(port: port)
        defer { r.stop() }
        #expect(r.wait { $0.filter { (200...299).contains($0.status) }.count >= 9 })
        expectInOrder(r, payments: payments)
        let first = r.delivered.first
        #expect(first?.header("Content-Type") == "application/json")
        #expect(first?.header("Payhook-Seq") != nil)
        #expect(first?.body.contains("\"payhook.event/v1\"") == true)
        d.signal(SIGTERM)
        #expect(d.waitExit() == 0)
    }

    @Test("a receiver answering 500 for one payment: the others flow; that payment resumes in order")
    func onePaymentFailing() throws {
        let r = try HookReceiver()
        defer { r.stop() }
        let failing = Mutex(true)
        r.setAnswer { x in
            (x.header("Payhook-Event-Id") ?? "").contains(":bad:") && failing.withLock { $0 } ? 500 : 200
        }
        let d = try DaemonProcess(
            server: ephemeralServer(), extraConfig: hookConfig("http://127.0.0.1:\(r.port)/events"), sources: fixtureSources)
        defer { d.signal(SIGKILL) }
        try post(d, payments: ["good1", "bad", "good2"])
        #expect(r.wait { rs in rs.filter { (200...299).contains($0.status) }.count >= 6 })
        // The failing payment's first event was tried, its later ones were held back.
        let attemptsOfBad = r.received.filter { ($0.header("Payhook-Event-Id") ?? "").contains(":bad:") }
        #expect(!attemptsOfBad.isEmpty)
        #expect(attemptsOfBad.allSatisfy { $0.header("Payhook-Event-Id") == Self.headerID("bad", "invoice:created") })
        failing.withLock { $0 = false }
        #expect(r.wait { rs in rs.filter { (200...299).contains($0.status) }.count >= 9 })
        expectInOrder(r, payments: ["good1", "bad", "good2"])
        #expect((attemptsOfBad.last?.header("Payhook-Attempt")).flatMap { Int($0) } ?? 0 >= 1)
    }
}

extension HookDeliveryIntegrationTests {
    func hooksStatus(_ d: DaemonProcess) throws -> JSONValue? {
        let c = try RawClient(d.admin)
        try c.send(get("/v1/hooks"))
        return json(c.readAnswer())?["hooks"]?.arrayElements?.first
    }

    @Test("retry_max_age passed: the failing event is parked (visible in /v1/hooks), its payment flows again")
    func parkedAfterMaxAge() throws {
        let r = try HookReceiver()
        defer { r.stop() }
        r.setAnswer { x in (x.header("Payhook-Event-Id") ?? "").contains(":bad:invoice%3Acreated") ? 500 : 200 }
        let d = try DaemonProcess(
            server: ephemeralServer(), extraConfig: hookConfig("http://127.0.0.1:\(r.port)/events", extra: "retry_max_age = \"1s\""),
            sources: fixtureSources)
        defer { d.signal(SIGKILL) }
        try post(d, payments: ["bad", "good"])
        // bad's later two events arrive once the first is parked; good's three meanwhile.
        #expect(r.wait { rs in rs.filter { (200...299).contains($0.status) }.count >= 5 })
        let byPayment = deliveredByPayment(r)
        #expect(byPayment["bad"] == ["invoice:waiting", "invoice:paid"].map { Self.headerID("bad", $0) })
        let status = try hooksStatus(d)
        #expect(status?["parked"]?.numberText == "1")
        #expect(status?["delivered"]?.numberText == "5")
        #expect(status?["last_error"]?.stringValue?.hasPrefix("HTTP 500") == true)
        // Log lines reach stderr through the journal's writer thread: wait for it.
        for _ in 0..<500 where !d.stderr.contains("hook orders: parked seq 1") { usleep(10_000) }
        #expect(d.stderr.contains("hook orders: parked seq 1"))
    }

    @Test("SIGKILL with one payment failing, restart: nothing skipped, delivered events of other payments not resent")
    func killAndRestart() throws {
        let r = try HookReceiver()
        defer { r.stop() }
        let failing = Mutex(true)
        r.setAnswer { x in (x.header("Payhook-Event-Id") ?? "").contains(":bad:") && failing.withLock { $0 } ? 503 : 200 }
        let config = hookConfig("http://127.0.0.1:\(r.port)/events")
        let d = try DaemonProcess(server: ephemeralServer(), extraConfig: config, sources: fixtureSources)
        try post(d, payments: ["bad", "good1", "good2"])
        #expect(r.wait { rs in rs.filter { (200...299).contains($0.status) }.count >= 6 })
        // Past cursor_every_ms (1 s): the cursor holds "bad" as pending, the rest as done.
        usleep(1_600_000)
        d.signal(SIGKILL)
        _ = d.waitExit()
        let before = r.delivered.count
        failing.withLock { $0 = false }
        let again = try DaemonProcess(server: ephemeralServer(), extraConfig: config, sources: fixtureSources, dir: d.dir)
        defer { again.signal(SIGKILL) }
        #expect(r.wait { rs in rs.filter { (200...299).contains($0.status) }.count >= before + 3 })
        usleep(500_000)
        // Nothing skipped, in order; the good payments' events were not sent again.
        expectInOrder(r, payments: ["bad", "good1", "good2"])
        #expect(r.delivered.count == 9)
    }
}
