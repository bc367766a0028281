import Glibc
import PayhookCore
import Testing

/// h2c with prior knowledge through the real binary: real clients (curl, h2load) get the same
/// answers as over HTTP/1.1, and scripted abuse (Python `h2`, raw frames) ends in GOAWAY or a
/// stream error while the daemon keeps answering others.
@Suite(.serialized) struct HTTP2IntegrationTests {
    static let calm = 11  // ENHANCE_YOUR_CALM

    func daemon(_ extra: String = "") throws -> DaemonProcess {
        try DaemonProcess(server: ephemeralServer(extra), sources: fixtureSources)
    }

    /// The daemon still answers a fresh HTTP/1.1 client.
    func answersOthers(_ d: DaemonProcess) throws {
        let c = try RawClient(d.admin)
        try c.send(get("/healthz"))
        #expect(c.readAnswer()?.status == 200)
    }

    @Test("admin routes over h2c answer as over HTTP/1.1 (status and body)")
    func adminRoutes() throws {
        let d = try daemon()
        let h1 = try RawClient(d.admin)
        for path in ["/healthz", "/readyz", "/v1/payments/noventiq/1", "/v1/events?after=0&limit=5", "/v1/sources", "/nope"] {
            let a = try curlH2("http://\(d.admin)\(path)")
            try h1.send(get(path))
            let b = try #require(h1.readAnswer())
            #expect(a.version == "2", "\(path)")
            #expect(a.status == b.status, "\(path)")
            #expect(a.body == b.body, "\(path)")
        }
        let metrics = try curlH2("http://\(d.admin)/metrics")
        #expect(metrics.status == 200 && metrics.body.contains("payhook_"))
        let wrongMethod = try curlH2("http://\(d.admin)/healthz", method: "DELETE")
        #expect(wrongMethod.status == 405)
    }

    @Test("every fixture ingested over h2c: the expected status; a repeat is a duplicate")
    func fixtures() throws {
        let d = try daemon()
        let dir = DaemonProcess.makeTempDir()
        for f in try FixtureCase.all() {
            let file = dir + "/body"
            try DaemonProcess.writeFile(file, String(decoding: f.body, as: UTF8.self))
            let a = try curlH2("http://\(d.ingest)/hooks/\(f.source)", method: "POST", headers: f.headers, bodyFile: file)
            #expect(a.version == "2")
            #expect(a.status == f.http, "\(f.name): \(a.body)")
            guard f.http == 200 else { continue }
            let again = try curlH2("http://\(d.ingest)/hooks/\(f.source)", method: "POST", headers: f.headers, bodyFile: file)
            #expect(again.status == 200 && again.body.contains("\"duplicate\":true"), "\(f.name): \(again.body)")
        }
    }

    @Test("h2load: 4000 requests on 4 connections, 32 streams each, all succeed")
    func manyStreams() throws {
        let d = try daemon()
        let (_, out) = try runTool(["/usr/bin/h2load", "-n", "4000", "-c", "4", "-m", "32", "http://\(d.admin)/healthz"])
        #expect(out.contains("4000 succeeded, 0 failed, 0 errored"), "\(out)")
        try answersOthers(d)
    }

    @Test("a header list over h2_max_header_list_bytes: 431 on its stream, the connection goes on")
    func bigHeaders() throws {
        let d = try daemon()
        let r = try h2Abuse("big-headers", d.admin)
        #expect(r["statuses"]?["1"]?.numberText == "431", "\(r)")
        #expect(r["statuses"]?["3"]?.numberText == "200", "\(r)")
        #expect(r["goaway"] == .null)
    }

    @Test("a body over max_body_bytes in DATA frames: 413 on its stream, the connection goes on")
    func bigBody() throws {
        let d = try daemon("max_body_bytes = 4096")
        let r = try h2Abuse("big-body", d.ingest, 200_000)
        #expect(r["statuses"]?["1"]?.numberText == "413", "\(r)")
        #expect(r["statuses"]?["3"]?.numberText == "200", "\(r)")
        #expect(r["goaway"] == .null)
    }

    @Test("a stream that never finishes its body: 408 after body_timeout_ms; another stream is answered meanwhile")
    func stalledBody() throws {
        let d = try daemon("body_timeout_ms = 1000")
        let r = try h2Abuse("stalled", d.ingest)
        #expect(r["statuses"]?["1"]?.numberText == "408", "\(r)")
        #expect(r["statuses"]?["3"]?.numberText == "200", "\(r)")
    }

    @Test("rapid reset (CVE-2023-44487): GOAWAY and close; others answered")
    func rapidReset() throws {
        let d = try daemon()
        let r = try h2Abuse("rapid-reset", d.admin, 20_000)
        #expect(r["goaway"] != .null && r["goaway"] != nil, "\(r)")
        #expect(r["closed"]?.boolValue == true, "\(r)")
        try answersOthers(d)
    }

    @Test("SETTINGS, PING and WINDOW_UPDATE floods: GOAWAY(ENHANCE_YOUR_CALM) and close")
    func controlFloods() throws {
        let d = try daemon()
        for name in ["settings-flood", "ping-flood", "window-update-flood"] {
            let r = try h2Abuse(name, d.admin, 20_000)
            #expect(r["goaway"]?.numberText == "\(Self.calm)", "\(name): \(r)")
            #expect(r["closed"]?.boolValue == true, "\(name): \(r)")
            try answersOthers(d)
        }
    }

    @Test("h2_max_control_frames_per_second: N frames pass, N+1 get GOAWAY")
    func controlFrameLimit() throws {
        let d = try daemon("h2_max_control_frames_per_second = 50")
        // The script's own opening SETTINGS counts as one.
        let atLimit = try h2Abuse("ping-flood", d.admin, 49)
        #expect(atLimit["goaway"] == .null, "\(atLimit)")
        let over = try h2Abuse("ping-flood", d.admin, 50)
        #expect(over["goaway"]?.numberText == "\(Self.calm)", "\(over)")
    }

    @Test("CONTINUATION frames without END_HEADERS: GOAWAY and close")
    func continuationFlood() throws {
        let d = try daemon()
        let r = try h2Abuse("continuation", d.admin, 1000)
        #expect(r["goaway"] != .null && r["goaway"] != nil, "\(r)")
        #expect(r["closed"]?.boolValue == true, "\(r)")
        try answersOthers(d)
    }

    @Test("repeated abuse leaves RSS flat")
    func rssFlat() throws {
        let d = try daemon()
        func round() throws {
            _ = try h2Abuse("rapid-reset", d.admin, 5000)
            _ = try h2Abuse("ping-flood", d.admin, 5000)
            _ = try h2Abuse("continuation", d.admin, 100)
            _ = try runTool(["/usr/bin/h2load", "-n", "2000", "-c", "4", "-m", "32", "http://\(d.admin)/healthz"])
        }
        try round()
        let first = d.rssKB
        for _ in 0..<4 { try round() }
        let last = d.rssKB
        #expect(last - first < 4096, "RSS \(first) KiB then \(last) KiB")
        try answersOthers(d)
    }
}
