import Glibc
import PayhookCore
import PayhookNATS
import Testing

/// `nats_url` hooks through the real binary against a real `nats-server -js`.
@Suite(.serialized)
struct NATSHookIntegrationTests {
    func waitFor(_ timeoutMs: Int = 20_000, _ condition: () -> Bool) -> Bool {
        for _ in 0..<(timeoutMs / 50) {
            if condition() { return true }
            usleep(50_000)
        }
        return condition()
    }

    func natsHook(_ server: NATSServer, name: String = "bus", extra: String = "") -> String {
        """
        [[hooks]]
        name = "\(name)"
        nats_url = "\(server.url)"
        subject = "pay.{provider}.{source}.{kind}.{status}"
        stream = "PAY"
        start = "beginning"
        timeout_ms = 2000
        \(extra)
        """
    }

    func hookStatus(_ d: DaemonProcess) throws -> JSONValue? {
        let c = try RawClient(d.admin)
        try c.send(get("/v1/hooks"))
        return json(c.readAnswer())?["hooks"]?.arrayElements?.first
    }

    /// Posts every fixture that the daemon stores (2xx); returns the event ids it answered.
    func postFixtures(_ d: DaemonProcess) throws -> [(FixtureCase, String)] {
        var out: [(FixtureCase, String)] = []
        for f in try FixtureCase.all() where f.http == 200 && f.source != "guarded" {
            let c = try RawClient(d.ingest)
            try c.send(String(decoding: rawPost("/hooks/\(f.source)", headers: f.headers, body: f.body), as: UTF8.self))
            let answer = c.readAnswer()
            #expect(answer?.status == 200, "\(f.name)")
            if let id = json(answer)?["id"]?.stringValue { out.append((f, id)) }
        }
        return out
    }

    @Test("every fixture lands in the stream once, with Nats-Msg-Id, Payhook-Seq, Payhook-Source and the rendered subject")
    func fixturesInStream() throws {
        let nats = try NATSServer()
        defer { nats.stop() }
        let d = try DaemonProcess(server: ephemeralServer(), extraConfig: natsHook(nats), sources: fixtureSources)
        defer { d.signal(SIGKILL) }
        let posted = try postFixtures(d)
        #expect(!posted.isEmpty)
        var messages: [NATSStreamMessage] = []
        #expect(
            waitFor {
                messages = (try? nats.messages("PAY")) ?? []
                return messages.count >= posted.count
            })
        #expect(messages.count == posted.count)
        for (f, id) in posted {
            guard let m = messages.first(where: { $0.headers["Nats-Msg-Id"] == id }) else {
                Issue.record("\(f.name): \(id) not in the stream")
                continue
            }
            #expect(m.headers["Payhook-Source"] == f.source)
            #expect(UInt64(m.headers["Payhook-Seq"] ?? "") != nil)
            let event = try JSONParser.parse(m.data)
            #expect(event["id"]?.stringValue == id)
            let provider = f.source == "noventiq" ? "noventiq" : "nonstopay"
            let kind = event["kind"]?.stringValue ?? ""
            let status = event["status"]?.stringValue ?? ""
            #expect(m.subject == "pay.\(provider).\(f.source).\(kind).\(status)", "\(f.name)")
        }
        let status = try hookStatus(d)
        #expect(status?["kind"]?.stringValue == "nats")
        #expect(status?["delivered"]?.numberText == "\(posted.count)")
    }
}

extension NATSHookIntegrationTests {
    @Test("filters and placeholders: only the hook's sources and statuses reach the stream, under their subjects")
    func filtersAndPlaceholders() throws {
        let nats = try NATSServer()
        defer { nats.stop() }
        let hook = natsHook(nats, extra: "sources = [\"nonstopay-payin\"]\nstatuses = [\"succeeded\"]")
            .replacing("pay.{provider}.{source}.{kind}.{status}", with: "p.{status}.x-{kind}")
        let d = try DaemonProcess(server: ephemeralServer(), extraConfig: hook, sources: fixtureSources)
        defer { d.signal(SIGKILL) }
        let posted = try postFixtures(d)
        let expected = posted.filter { $0.0.source == "nonstopay-payin" && $0.0.expect["status"] == "succeeded" }
        #expect(!expected.isEmpty)
        #expect(expected.count < posted.count)
        #expect(waitFor { (try? hookStatus(d))??["lag_events"]?.numberText == "0" })
        let messages = try nats.messages("PAY")
        #expect(messages.map { $0.headers["Nats-Msg-Id"] ?? "" } == expected.map(\.1))
        #expect(messages.allSatisfy { $0.subject == "p.succeeded.x-payin" })
    }
}

extension NATSHookIntegrationTests {
    @Test("duplicate_window: a stream payhookd creates gets the configured window (30d, the maximum)")
    func duplicateWindowOfCreatedStream() throws {
        let nats = try NATSServer()
        defer { nats.stop() }
        let d = try DaemonProcess(
            server: ephemeralServer(), extraConfig: natsHook(nats, extra: "duplicate_window = \"30d\""), sources: fixtureSources)
        defer { d.signal(SIGKILL) }
        #expect(waitFor { d.stderr.contains("stream PAY created") })
        let client = try NATSClient(NATSConnectOptions(urls: [nats.url])) { _, _ in }
        defer { client.close() }
        #expect(
            try client.ensureStream("PAY", pattern: "pay.*.*.*.*", duplicateWindowMs: 1000, create: false)
                == .existing(duplicateWindowMs: 2_592_000_000))
    }
}
