import Glibc
import PayhookCore
import Testing

/// `Upgrade: h2c` (RFC 7540 section 3.2, deprecated by RFC 9113) is ignored, as RFC 9110
/// section 7.8 allows: the request is answered over HTTP/1.1 and the connection stays HTTP/1.1.
@Suite(.serialized) struct H2cUpgradeIntegrationTests {
    /// `curl --http2` (which offers the upgrade) on `urls`, one connection reused: per answer,
    /// "status version connects".
    func curlUpgrade(_ urls: [String], extra: [String] = []) throws -> [String] {
        let argv = ["/usr/bin/curl", "-sS", "--http2", "-w", "%{http_code} %{http_version} %{num_connects}\n"]
        let (status, out) = try runTool(argv + extra + urls.flatMap { ["-o", "/dev/null", $0] })
        #expect(status == 0, "\(out)")
        return out.split(separator: "\n").map(String.init)
    }

    @Test("curl --http2 (Upgrade: h2c) on the admin listener: answered over HTTP/1.1, keep-alive reused")
    func adminIgnoresUpgrade() throws {
        let d = try DaemonProcess(server: ephemeralServer(), sources: fixtureSources)
        let lines = try curlUpgrade(["http://\(d.admin)/healthz", "http://\(d.admin)/v1/payments/noventiq/1", "http://\(d.admin)/healthz"])
        #expect(lines == ["200 1.1 1", "404 1.1 0", "200 1.1 0"], "\(lines)")
    }

    @Test("curl --http2 POST ingest with Upgrade: h2c: the fixture is ingested over HTTP/1.1")
    func ingestIgnoresUpgrade() throws {
        let d = try DaemonProcess(server: ephemeralServer(), sources: fixtureSources)
        let f = try #require(try FixtureCase.all().first { $0.http == 200 })
        let file = DaemonProcess.makeTempDir() + "/body"
        try DaemonProcess.writeFile(file, String(decoding: f.body, as: UTF8.self))
        var extra = ["--data-binary", "@" + file]
        for (k, v) in f.headers { extra += ["-H", "\(k): \(v)"] }
        let lines = try curlUpgrade(["http://\(d.ingest)/hooks/\(f.source)"], extra: extra)
        #expect(lines == ["200 1.1 1"], "\(lines)")
        let c = try RawClient(d.ingest)
        try c.send(rawPost("/hooks/\(f.source)", headers: f.headers, body: f.body))
        #expect(c.readAnswer()?.body.contains("\"duplicate\":true") == true, "the upgraded-offer request was stored")
    }
}
