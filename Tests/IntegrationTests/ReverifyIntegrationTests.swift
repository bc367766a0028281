import Glibc
import PayhookCore
import Testing

/// `rejects reverify` runs the stored request through the same checks as a live one, in the
/// same order: the client address resolved at receive time against today's `allow_from`, then
/// today's signature scheme.
@Suite(.serialized) struct ReverifyIntegrationTests {
    /// One Nonstopay source, behind the local proxy (127.0.0.1 is a trusted proxy).
    static func sources(_ guardLines: String) -> String {
        """
        [[sources]]
        name = "nonstopay-payin"
        provider = "nonstopay"
        kind = "payin"
        \(guardLines)
        """
    }
    static let wrongSecret = #"signature = "hmac-sha256-hex""# + "\n" + #"secret = "an-old-secret""#
    static let server = ephemeralServer(#"trusted_proxies = ["127.0.0.1"]"#)

    /// A forged callback that the proxy says came from 6.6.6.6: refused (401) and kept.
    func sendForgery(_ d: DaemonProcess) throws {
        let c = try RawClient(d.ingest)
        try c.send(nonstopayRequest("nonstopay-payin", body: #"{"status":"invoice:paid","id":"666"}"#, extraHeaders: "X-Real-IP: 6.6.6.6\r\n"))
        #expect(c.readAnswer()?.status == 401)
        for _ in 0..<200 {  // the rejects store writes off the loop thread
            if (try runCLI(["rejects", "list", "--dir", d.dir + "/var"], dir: d.dir).stdout).contains("6.6.6.6") { return }
            usleep(10_000)
        }
        Issue.record("the forgery was not kept in the rejects store")
    }

    /// Rewrites the source section of the config and reloads it with SIGHUP.
    func reconfigure(_ d: DaemonProcess, _ guardLines: String) throws {
        let config = d.dir + "/payhookd.toml"
        let text = try DaemonProcess.readFile(config).replacingOccurrences(Self.wrongSecret, guardLines)
        try DaemonProcess.writeFile(config, text)
        d.signal(SIGHUP)
        for _ in 0..<500 where !d.stderr.contains("configuration reloaded") { usleep(10_000) }
        #expect(d.stderr.contains("configuration reloaded"), "\(d.stderr)")
    }

    func reverify(_ d: DaemonProcess) throws -> JSONValue {
        let run = try runCLI(["rejects", "reverify", "--config", d.dir + "/payhookd.toml", "--admin", d.admin], dir: d.dir)
        #expect(run.status == 0, "\(run.stderr)")
        return try JSONParser.parse(Array(run.stdout.utf8))
    }

    func paymentStatus(_ d: DaemonProcess, _ id: String) throws -> Int? {
        let admin = try RawClient(d.admin)
        try admin.send(get("/v1/payments/nonstopay-payin/\(id)"))
        return admin.readAnswer()?.status
    }

    @Test("reverify of a stored forgery from a client that allow_from now excludes: nothing ingested")
    func forbiddenStaysRejected() throws {
        let d = try DaemonProcess(server: Self.server, sources: Self.sources(Self.wrongSecret))
        try sendForgery(d)
        try reconfigure(d, #"signature = "none""# + "\n" + #"allow_from = ["10.9.9.9"]"#)
        // A direct request from 6.6.6.6 is refused now...
        let c = try RawClient(d.ingest)
        try c.send(nonstopayRequest("nonstopay-payin", body: #"{"status":"invoice:paid","id":"667"}"#, extraHeaders: "X-Real-IP: 6.6.6.6\r\n"))
        #expect(c.readAnswer()?.status == 403)
        // ...and so is the stored one.
        let summary = try reverify(d)
        #expect(summary["checked"]?.numberText == "1", "\(summary)")
        #expect(summary["ingested"]?.numberText == "0", "\(summary)")
        #expect(summary["still_rejected"]?.numberText == "1", "\(summary)")
        #expect(summary["still_rejected_reasons"]?["forbidden"]?.numberText == "1", "\(summary)")
        #expect(try paymentStatus(d, "666") == 404)
        let listed = try runCLI(["rejects", "list", "--dir", d.dir + "/var"], dir: d.dir).stdout
        #expect(listed.contains(#""reingested":false"#), "\(listed)")
    }

    @Test("reverify after a restart with allow_from including the stored client: ingested once")
    func allowedIsIngested() throws {
        let first = try DaemonProcess(server: Self.server, sources: Self.sources(Self.wrongSecret))
        try sendForgery(first)
        first.signal(SIGTERM)
        #expect(first.waitExit() == 0)
        unlink(first.dir + "/ready")
        let unsigned = #"signature = "none""# + "\n" + #"allow_from = ["10.9.9.9", "6.6.6.0/24"]"#
        let d = try DaemonProcess(server: Self.server, sources: Self.sources(unsigned), dir: first.dir)
        let summary = try reverify(d)
        #expect(summary["checked"]?.numberText == "1" && summary["ingested"]?.numberText == "1", "\(summary)")
        #expect(try paymentStatus(d, "666") == 200)
        let events = try RawClient(d.admin)
        try events.send(get("/v1/payments/nonstopay-payin/666/events"))
        let event = try #require(json(events.readAnswer())?["events"]?[0])
        #expect(event["verified_by"]?.stringValue == "none")
    }
}
