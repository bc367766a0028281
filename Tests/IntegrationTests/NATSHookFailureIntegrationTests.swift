import Glibc
import PayhookCore
import PayhookNATS
import Testing

/// `nats_url` hooks when NATS is down, refuses us, or does not match the config; and two
/// instances publishing the same notifications.
@Suite(.serialized)
struct NATSHookFailureIntegrationTests {
    let base = NATSHookIntegrationTests()
    static let statuses = ["invoice:created", "invoice:waiting", "invoice:paid"]

    func post(_ d: DaemonProcess, payments: [String], statuses: [String] = statuses) throws {
        let c = try RawClient(d.ingest)
        for status in statuses {
            for id in payments {
                try c.send(nonstopayRequest("nonstopay-payin", body: "{\"status\":\"\(status)\",\"id\":\"\(id)\"}"))
                #expect(c.readAnswer()?.status == 200)
            }
        }
    }

    /// Per payment, the Nats-Msg-Ids in stream order.
    func byPayment(_ messages: [NATSStreamMessage]) -> [String: [String]] {
        var out: [String: [String]] = [:]
        for m in messages {
            let id = m.headers["Nats-Msg-Id"] ?? ""
            out[id.split(separator: ":").dropFirst().first.map(String.init) ?? "", default: []].append(id)
        }
        return out
    }

    func lagEvents(_ d: DaemonProcess) -> Int {
        Int((try? base.hookStatus(d))??["lag_events"]?.numberText ?? "") ?? -1
    }

    @Test("nats-server stopped mid-run and restarted: nothing lost, order per payment kept, lag rises and falls")
    func serverRestart() throws {
        let nats = try NATSServer()
        defer { nats.stop() }
        let d = try DaemonProcess(server: ephemeralServer(), extraConfig: base.natsHook(nats), sources: fixtureSources)
        defer { d.signal(SIGKILL) }
        try post(d, payments: ["r1", "r2"], statuses: [Self.statuses[0]])
        #expect(base.waitFor { ((try? nats.messages("PAY")) ?? []).count == 2 })
        nats.stop()
        try post(d, payments: ["r1", "r2", "r3"], statuses: Array(Self.statuses[1...]))
        try post(d, payments: ["r3"], statuses: [Self.statuses[0]])
        // Held in the log while NATS is away: lag counts them (the ingest answered 200 above).
        #expect(base.waitFor { lagEvents(d) >= 5 }, "lag \(lagEvents(d))")
        usleep(1_500_000)
        #expect(lagEvents(d) >= 5)
        #expect(d.poll() == nil)
        try nats.start()
        var messages: [NATSStreamMessage] = []
        #expect(
            base.waitFor(60_000) {
                messages = (try? nats.messages("PAY")) ?? []
                return messages.count >= 9
            })
        #expect(messages.count == 9, "\(messages.map { $0.headers["Nats-Msg-Id"] ?? "" })")
        let ids = byPayment(messages)
        for p in ["r1", "r2"] {
            #expect(ids[p] == Self.statuses.map { "nonstopay-payin:\(p):" + $0.replacing(":", with: "%3A") }, "\(p): \(ids[p] ?? [])")
        }
        #expect(ids["r3"]?.count == 3)
        #expect(base.waitFor { lagEvents(d) == 0 }, "lag \(lagEvents(d))")
        #expect(((try? base.hookStatus(d))??["failed_attempts"]?.numberText).flatMap { Int($0) } ?? 0 > 0)
    }

    @Test("two payhookd instances fed the same notifications: each event once in the stream")
    func twoInstances() throws {
        let nats = try NATSServer()
        defer { nats.stop() }
        let a = try DaemonProcess(server: ephemeralServer(), extraConfig: base.natsHook(nats), sources: fixtureSources)
        defer { a.signal(SIGKILL) }
        let b = try DaemonProcess(server: ephemeralServer(), extraConfig: base.natsHook(nats), sources: fixtureSources)
        defer { b.signal(SIGKILL) }
        let payments = (1...10).map { "two\($0)" }
        try post(a, payments: payments)
        try post(b, payments: payments)
        // Both delivered all 30 (each got its own acks, duplicates included)...
        for d in [a, b] {
            #expect(base.waitFor { (try? base.hookStatus(d))??["delivered"]?.numberText == "30" })
        }
        // ...and the stream holds each once.
        let messages = try nats.messages("PAY")
        #expect(messages.count == 30)
        #expect(Set(messages.compactMap { $0.headers["Nats-Msg-Id"] }).count == 30)
    }

    @Test("bad password: a clear error in the journal and /v1/hooks, retried, ingest unaffected")
    func badCredentials() throws {
        let nats = try NATSServer(extraArgs: ["--user", "payhook", "--pass", "right"])
        defer { nats.stop() }
        let d = try DaemonProcess(
            server: ephemeralServer(), extraConfig: base.natsHook(nats, extra: "nats_user = \"payhook\"\nnats_password = \"wrong\""),
            sources: fixtureSources)
        defer { d.signal(SIGKILL) }
        #expect(base.waitFor { d.stderr.contains("hook bus: nats: connect") })
        try post(d, payments: ["c1"])
        #expect(base.waitFor { ((try? base.hookStatus(d))??["last_error"]?.stringValue ?? "").lowercased().contains("authorization") })
        #expect(d.poll() == nil)
        #expect(lagEvents(d) == 3)
    }

    @Test("user and nats_password_file (a secret file) reach the server: the events are in the stream")
    func goodCredentials() throws {
        let nats = try NATSServer(extraArgs: ["--user", "payhook", "--pass", "right"])
        defer { nats.stop() }
        let dir = DaemonProcess.makeTempDir()
        try DaemonProcess.writeFile(dir + "/nats-password", "right\n")
        let d = try DaemonProcess(
            server: ephemeralServer(),
            extraConfig: base.natsHook(nats, extra: "nats_user = \"payhook\"\nnats_password_file = \"nats-password\""),
            sources: fixtureSources, dir: dir)
        defer { d.signal(SIGKILL) }
        try post(d, payments: ["g1"])
        #expect(base.waitFor { ((try? nats.messages("PAY", user: "payhook", password: "right")) ?? []).count == 3 })
    }

    @Test("missing stream with create = false: the error names the stream; nothing is created")
    func missingStream() throws {
        let nats = try NATSServer()
        defer { nats.stop() }
        let d = try DaemonProcess(server: ephemeralServer(), extraConfig: base.natsHook(nats, extra: "create = false"), sources: fixtureSources)
        defer { d.signal(SIGKILL) }
        #expect(base.waitFor { d.stderr.contains("stream `PAY` does not exist (create = false)") })
        try post(d, payments: ["m1"])
        #expect(base.waitFor { ((try? base.hookStatus(d))??["last_error"]?.stringValue ?? "").contains("does not exist (create = false)") })
        #expect(throws: NATSError.self) { try nats.messages("PAY") }
        #expect(d.poll() == nil)
    }

    @Test("an existing stream whose subjects do not cover the hook's subject: a clear error, the stream untouched")
    func subjectNotCovered() throws {
        let nats = try NATSServer()
        defer { nats.stop() }
        let client = try NATSClient(NATSConnectOptions(urls: [nats.url])) { _, _ in }
        #expect(try client.ensureStream("PAY", pattern: "other.>", duplicateWindowMs: 60_000, create: true) == .created)
        client.close()
        let d = try DaemonProcess(server: ephemeralServer(), extraConfig: base.natsHook(nats), sources: fixtureSources)
        defer { d.signal(SIGKILL) }
        try post(d, payments: ["s1"])
        let expected = "stream `PAY` subjects [other.>] do not cover the hook's subject `pay.*.*.*.*`"
        #expect(base.waitFor { ((try? base.hookStatus(d))??["last_error"]?.stringValue ?? "").contains(expected) })
        #expect(d.stderr.contains(expected))
        #expect(try nats.messages("PAY").isEmpty)
        #expect(d.poll() == nil)
    }
}
