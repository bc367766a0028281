import Glibc
import PayhookCore
import PayhookNATS
import Testing

/// `status_bucket`: each payment's last-seen status in a JetStream KV bucket, ranked across
/// two payhookd instances whatever order they write in.
@Suite(.serialized)
struct NATSStatusBucketTests {
    let base = NATSHookIntegrationTests()
    let failures = NATSHookFailureIntegrationTests()

    func daemon(_ nats: NATSServer, extra: String = "") throws -> DaemonProcess {
        try DaemonProcess(
            server: ephemeralServer(), extraConfig: base.natsHook(nats, extra: "status_bucket = \"STATUS\"\n" + extra),
            sources: fixtureSources)
    }

    /// The bucket entry's status and revision (nil: no entry or no bucket).
    func entry(_ nats: NATSServer, _ key: String) -> (status: String, revision: UInt64)? {
        guard let client = try? NATSClient(NATSConnectOptions(urls: [nats.url]), onAck: { _, _ in }) else { return nil }
        defer { client.close() }
        guard let kv = try? NATSKeyValue(client, bucket: "STATUS", history: 1, replicas: 1, create: false) else { return nil }
        defer { kv.close() }
        guard let found = try? kv.get(key), let value = try? JSONParser.parse(found.value) else { return nil }
        return (value["status"]?.stringValue ?? "", found.revision)
    }

    func postNoventiq(_ d: DaemonProcess, _ names: [String]) throws {
        let fixtures = try FixtureCase.all()
        for name in names {
            let f = try #require(fixtures.first { $0.name == name })
            let c = try RawClient(d.ingest)
            try c.send(String(decoding: rawPost("/hooks/noventiq", headers: f.headers, body: f.body), as: UTF8.self))
            #expect(c.readAnswer()?.status == 200, "\(name)")
        }
    }

    func delivered(_ d: DaemonProcess) -> Int { Int((try? base.hookStatus(d))??["delivered"]?.numberText ?? "") ?? -1 }

    @Test("a lower rank written later by another instance does not overwrite a higher one; the value is the payment JSON")
    func lowerRankKept() throws {
        let nats = try NATSServer()
        defer { nats.stop() }
        let a = try daemon(nats)
        defer { a.signal(SIGKILL) }
        let b = try daemon(nats)
        defer { b.signal(SIGKILL) }
        try postNoventiq(b, ["noventiq-order-created", "noventiq-payment-succeeded", "noventiq-product-returned"])
        #expect(base.waitFor { delivered(b) == 3 })
        let first = entry(nats, "noventiq.5555555")
        #expect(first?.status == "refunded")
        // A saw only up to `succeeded`: its write must leave `refunded` (same revision).
        try postNoventiq(a, ["noventiq-order-created", "noventiq-payment-succeeded"])
        #expect(base.waitFor { delivered(a) == 2 })
        let after = entry(nats, "noventiq.5555555")
        #expect(after?.status == "refunded")
        #expect(after?.revision == first?.revision)
        // The value is what GET /v1/payments answers on the instance that wrote it.
        let c = try RawClient(b.admin)
        try c.send(get("/v1/payments/noventiq/5555555"))
        let answer = try #require(c.readAnswer())
        let client = try NATSClient(NATSConnectOptions(urls: [nats.url])) { _, _ in }
        defer { client.close() }
        let kv = try NATSKeyValue(client, bucket: "STATUS", history: 1, replicas: 1, create: false)
        defer { kv.close() }
        #expect(try kv.get("noventiq.5555555").map { String(decoding: $0.value, as: UTF8.self) } == answer.body)
    }

    @Test("interleaved conflicting updates from two instances (held behind a NATS outage, released at once): the highest rank wins")
    func interleaved() throws {
        let nats = try NATSServer()
        defer { nats.stop() }
        let a = try daemon(nats)
        defer { a.signal(SIGKILL) }
        let b = try daemon(nats)
        defer { b.signal(SIGKILL) }
        #expect(base.waitFor { a.stderr.contains("NATS connected") && b.stderr.contains("NATS connected") })
        // The barrier: with NATS away both instances hold every update until it is back.
        nats.stop()
        let payments = (1...12).map { "kv\($0)" }
        try failures.post(a, payments: payments, statuses: ["invoice:created", "invoice:paid"])
        try failures.post(b, payments: payments, statuses: ["invoice:created", "invoice:waiting", "invoice:expired"])
        try postNoventiq(a, ["noventiq-order-created", "noventiq-payment-succeeded"])
        try postNoventiq(b, ["noventiq-order-created", "noventiq-payment-succeeded", "noventiq-product-returned"])
        usleep(500_000)
        try nats.start()
        #expect(base.waitFor(60_000) { delivered(a) == 26 && delivered(b) == 39 }, "a \(delivered(a)) b \(delivered(b))")
        for p in payments {
            #expect(entry(nats, "nonstopay-payin.\(p)")?.status == "succeeded", "\(p)")
        }
        #expect(entry(nats, "noventiq.5555555")?.status == "refunded")
    }

    @Test("status_history: a bucket payhookd creates keeps the configured history (64, the maximum)")
    func historyFromConfig() throws {
        let nats = try NATSServer()
        defer { nats.stop() }
        let a = try daemon(nats, extra: "status_history = 64")
        defer { a.signal(SIGKILL) }
        #expect(base.waitFor { a.stderr.contains("NATS connected") })
        let client = try NATSClient(NATSConnectOptions(urls: [nats.url])) { _, _ in }
        defer { client.close() }
        let kv = try NATSKeyValue(client, bucket: "STATUS", history: 1, replicas: 1, create: false)
        defer { kv.close() }
        #expect(kv.history == 64)
    }
}
