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

    /// The event id as sent in `Payhook-Event-Id`: the id escapes ":" inside a part as "%3A",
    /// and the header percent-encodes "%" (HookRequest.headerValue).
    static func headerID(_ payment: String, _ status: String) -> String {
        "nonstopay-payin:\(payment):" + status.replacing(":", with: "%253A")
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
