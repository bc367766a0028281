import Glibc
import Testing

/// `[server]` lines for a daemon on ephemeral loopback ports (admin on 127.0.0.2 so that the
/// two `:0` addresses differ).
func ephemeralServer(_ extra: String = "") -> String {
    """
    ingest = ["127.0.0.1:0"]
    admin = ["127.0.0.2:0"]
    \(extra)
    """
}

@Suite(.serialized) struct HTTPIntegrationTests {
    @Test("keep-alive: several requests on one connection, each answered, connection kept")
    func keepAlive() throws {
        let d = try DaemonProcess(server: ephemeralServer())
        let c = try RawClient(d.ingest)
        for _ in 0..<3 {
            try c.send(get("/healthz"))
            let a = try #require(c.readAnswer())
            #expect(a.status == 200 && a.body == #"{"ok":true}"# && !a.closes)
        }
    }

    @Test("pipelining: three requests in one write are answered in order")
    func pipelining() throws {
        let d = try DaemonProcess(server: ephemeralServer())
        let c = try RawClient(d.ingest)
        try c.send(get("/healthz") + get("/nope") + "POST /hooks/zz HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\n{}")
        let answers = (0..<3).compactMap { _ in c.readAnswer() }
        #expect(answers.map(\.status) == [200, 404, 404])
        #expect(answers.count == 3 && answers[2].body.contains("unknown_source"))
    }

    @Test("routes are split: admin paths 404 on ingest, /hooks 404 on admin, /readyz 200 on admin")
    func routeSplit() throws {
        let d = try DaemonProcess(server: ephemeralServer())
        let ingest = try RawClient(d.ingest)
        let admin = try RawClient(d.admin)
        try ingest.send(get("/readyz"))
        #expect(ingest.readAnswer()?.status == 404)
        try admin.send(get("/readyz"))
        #expect(admin.readAnswer()?.status == 200)
        try admin.send("POST /hooks/noventiq HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n")
        #expect(admin.readAnswer()?.status == 404)
        try ingest.send(get("/hooks/noventiq"))
        let a = try #require(ingest.readAnswer())
        #expect(a.status == 405 && a.header("allow") == "POST" && a.header("content-type") == "application/json")
    }

    @Test("a head not complete within header_timeout_ms gets 408 and the connection closes")
    func headerTimeout() throws {
        let d = try DaemonProcess(server: ephemeralServer("header_timeout_ms = 300"))
        let c = try RawClient(d.ingest)
        try c.send("GET /healthz HTTP/1.1\r\nHo")
        let a = try #require(c.readAnswer())
        #expect(a.status == 408 && a.closes && a.body.contains("request_timeout"))
        #expect(c.isClosedByPeer())
    }

    @Test("a body not complete within body_timeout_ms gets 408 and the connection closes")
    func bodyTimeout() throws {
        let d = try DaemonProcess(server: ephemeralServer("body_timeout_ms = 300"))
        let c = try RawClient(d.ingest)
        try c.send("POST /hooks/zz HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n{}")
        let a = try #require(c.readAnswer())
        #expect(a.status == 408 && a.closes)
        #expect(c.isClosedByPeer())
    }

    @Test("an idle keep-alive connection is closed silently after idle_timeout_ms")
    func idleTimeout() throws {
        let d = try DaemonProcess(server: ephemeralServer("idle_timeout_ms = 300"))
        let c = try RawClient(d.ingest)
        try c.send(get("/healthz"))
        #expect(c.readAnswer()?.status == 200)
        #expect(c.isClosedByPeer())
    }

    @Test("malformed HTTP is answered with the parser's status and closed")
    func malformed() throws {
        let d = try DaemonProcess(server: ephemeralServer())
        let c = try RawClient(d.ingest)
        try c.send("GET /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: x\r\n\r\n")
        let a = try #require(c.readAnswer())
        #expect(a.status == 400 && a.closes)
        #expect(c.isClosedByPeer())
    }

    @Test("a body over max_body_bytes is 413; one of exactly max_body_bytes is routed")
    func bodyLimit() throws {
        let d = try DaemonProcess(server: ephemeralServer("max_body_bytes = 1024"))
        let ok = try RawClient(d.ingest)
        try ok.send("POST /hooks/zz HTTP/1.1\r\nHost: t\r\nContent-Length: 1024\r\n\r\n" + String(repeating: "a", count: 1024))
        #expect(ok.readAnswer()?.status == 404)
        let big = try RawClient(d.ingest)
        try big.send("POST /hooks/zz HTTP/1.1\r\nHost: t\r\nContent-Length: 1025\r\n\r\n" + String(repeating: "a", count: 1025))
        #expect(big.readAnswer()?.status == 413)
    }

    @Test("Expect: 100-continue gets an interim 100 before the final answer")
    func expectContinue() throws {
        let d = try DaemonProcess(server: ephemeralServer())
        let c = try RawClient(d.ingest)
        try c.send("POST /hooks/zz HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n")
        #expect(c.readAnswer()?.status == 100)
        try c.send("{}")
        #expect(c.readAnswer()?.status == 404)
    }

    @Test("ingest serves max_connections - admin_reserve N connections, refuses N+1, admin still answers")
    func connectionLimit() throws {
        let d = try DaemonProcess(server: ephemeralServer("max_connections = 6\nadmin_reserve_connections = 2"))
        var open: [RawClient] = []
        for _ in 0..<4 {
            let c = try RawClient(d.ingest)
            try c.send(get("/healthz"))
            #expect(c.readAnswer()?.status == 200)
            open.append(c)
        }
        let extra = try RawClient(d.ingest)
        try? extra.send(get("/healthz"))
        let refused = extra.readAnswer()
        #expect(refused == nil || refused?.status == 503)
        #expect(extra.isClosedByPeer())
        let admin = try RawClient(d.admin)
        try admin.send(get("/healthz"))
        #expect(admin.readAnswer()?.status == 200)
        // Admin may use the reserve (2) but not more: 4 ingest + 2 admin = max_connections.
        let admin2 = try RawClient(d.admin)
        try admin2.send(get("/healthz"))
        #expect(admin2.readAnswer()?.status == 200)
        let admin3 = try RawClient(d.admin)
        try? admin3.send(get("/healthz"))
        #expect(admin3.readAnswer()?.status ?? 503 == 503)
        #expect(admin3.isClosedByPeer())
        open.removeLast()  // closing one frees a place
        usleep(100_000)
        let again = try RawClient(d.ingest)
        try again.send(get("/healthz"))
        #expect(again.readAnswer()?.status == 200)
    }

    @Test("a client that pipelines without reading is pushed back: the daemon's memory stays flat")
    func backpressure() throws {
        let d = try DaemonProcess(server: ephemeralServer())
        let rssBefore = d.rssKB
        let greedy = try RawClient(d.ingest)
        var tv = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(greedy.fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let chunk = Array(String(repeating: get("/healthz"), count: 1000).utf8)
        var sentBytes = 0
        let limitBytes = 64 << 20
        while sentBytes < limitBytes {
            let n = chunk.withUnsafeBytes { send(greedy.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { break }
            sentBytes += n
        }
        let growthKB = d.rssKB - rssBefore
        print("backpressure: sends stalled after \(sentBytes) bytes; daemon RSS grew \(growthKB) kB")
        // Without backpressure the answers pile up (about 10 MB in this run); with it, well under 1 MB.
        #expect(growthKB < 4096, "the daemon buffered \(growthKB) kB for a client that reads nothing")
        let other = try RawClient(d.ingest)
        try other.send(get("/healthz"))
        #expect(other.readAnswer()?.status == 200)
    }

    @Test("1024 idle connections stay open while other requests are answered")
    func manyIdleConnections() throws {
        DaemonProcess.raiseFDLimit()
        let d = try DaemonProcess(server: ephemeralServer())
        var idle: [RawClient] = []
        for _ in 0..<1024 { idle.append(try RawClient(d.ingest)) }
        let busy = try RawClient(d.ingest)
        for _ in 0..<20 {
            try busy.send(get("/healthz"))
            #expect(busy.readAnswer()?.status == 200)
        }
        // Every idle connection is still served (none was dropped).
        for c in idle where Int.random(in: 0..<10) == 0 {
            try c.send(get("/healthz"))
            #expect(c.readAnswer()?.status == 200)
        }
        try idle[1023].send(get("/healthz"))
        #expect(idle[1023].readAnswer()?.status == 200)
    }
}
