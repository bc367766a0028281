import CLinuxShim
import Glibc
import PayhookCore
import Testing

/// Through the real binary: per-listener connection bounds (admin cannot lock ingest out),
/// the short life of admin connections without a valid token, the bound on long-poll waiters,
/// and `X-Forwarded-For` sent on several lines.
@Suite(.serialized) struct ConnectionGuardIntegrationTests {
    static let token = "conns-test-token-0123456789"
    static let bearer = "Authorization: Bearer \(token)\r\n"

    func daemon(_ extra: String) throws -> DaemonProcess {
        try DaemonProcess(server: ephemeralServer("admin_token = \"\(Self.token)\"\n" + extra), sources: fixtureSources)
    }

    func authorizedGet(_ path: String) -> String {
        "GET \(path) HTTP/1.1\r\nHost: test\r\n\(Self.bearer)\r\n"
    }

    /// A signed callback on a fresh ingest connection, its status (nil when refused).
    func callback(_ d: DaemonProcess, id: String) throws -> (RawClient, Int?) {
        let c = try RawClient(d.ingest)
        try c.send(nonstopayRequest("nonstopay-payin", body: "{\"status\":\"invoice:paid\",\"id\":\"\(id)\"}"))
        return (c, c.readAnswer()?.status)
    }

    @Test("max_admin_connections: N idle tokenless admin connections are held, N+1 is refused, ingest keeps its share")
    func adminCannotLockOutIngest() throws {
        // 3 for admin; ingest holds the other 5 of max_connections (its limit is 8 - reserve 1 = 7,
        // but the total bound stops it at 5 while admin is full).
        let d = try daemon("max_connections = 8\nadmin_reserve_connections = 1\nmax_admin_connections = 3\nadmin_unauthenticated_timeout_ms = 60000")
        var idle: [RawClient] = []
        for _ in 0..<3 { idle.append(try RawClient(d.admin)) }  // accepted in queue order, send nothing
        let extra = try RawClient(d.admin)
        let refused = extra.readAnswer()
        #expect(refused == nil || refused?.status == 503)
        #expect(extra.isClosedByPeer(), "admin connection N+1 is closed")
        var ingest: [RawClient] = []
        for i in 0..<5 {
            let (c, status) = try callback(d, id: "lock\(i)")
            #expect(status == 200, "ingest connection \(i + 1) while admin is full")
            ingest.append(c)
        }
        let (sixth, status) = try callback(d, id: "lock6")
        #expect(status == nil || status == 503, "the total bound still holds")
        #expect(sixth.isClosedByPeer())
        // The held admin connections are alive: a valid request on one of them is answered.
        try idle[0].send(authorizedGet("/healthz"))
        #expect(idle[0].readAnswer()?.status == 200)
        #expect(d.poll() == nil)
    }

    @Test("admin_unauthenticated_timeout_ms: a tokenless admin connection is open before N and closed after; a valid token lifts it")
    func unauthenticatedTimeout() throws {
        let timeoutMs = 1000
        let d = try daemon("admin_unauthenticated_timeout_ms = \(timeoutMs)\nheader_timeout_ms = 30000")
        let start = Int64(cshim_monotonic_ns() / 1_000_000)
        let silent = try RawClient(d.admin, timeoutMs: 15_000)
        let wrong = try RawClient(d.admin, timeoutMs: 15_000)
        let good = try RawClient(d.admin)
        try wrong.send("GET /healthz HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer not-the-token-at-all\r\n\r\n")
        #expect(wrong.readAnswer()?.status == 401)
        try good.send(authorizedGet("/healthz"))
        #expect(good.readAnswer()?.status == 200)
        usleep(UInt32(timeoutMs / 4 * 1000))
        silent.setReceiveTimeout(ms: 50)
        #expect(!silent.isClosedByPeer(), "still open before the timeout")
        silent.setReceiveTimeout(ms: 15_000)
        #expect(silent.isClosedByPeer(), "closed after the timeout")
        #expect(wrong.isClosedByPeer(), "a wrong token does not lift the timeout")
        let elapsed = Int64(cshim_monotonic_ns() / 1_000_000) - start
        // Closed by this timeout, not by header_timeout_ms (30 s).
        #expect(elapsed >= Int64(timeoutMs) - 50 && elapsed < 20_000, "closed after \(elapsed) ms")
        usleep(UInt32(timeoutMs / 2 * 1000))
        try good.send(authorizedGet("/healthz"))
        #expect(good.readAnswer()?.status == 200, "an authenticated connection outlives the timeout")
    }

    /// The value of an unlabeled sample in `/metrics`.
    func metric(_ admin: RawClient, _ name: String) throws -> Double? {
        try admin.send(authorizedGet("/metrics"))
        let text = admin.readAnswer()?.body ?? ""
        let line = text.split(separator: "\n").first { $0.hasPrefix(name + " ") }
        return line.flatMap { Double($0.split(separator: " ")[1]) }
    }

    @Test("max_long_poll_waiters: N waiters are held, N+1 is 503; a batch wakes only the waiters it satisfies")
    func longPollWaiters() throws {
        let d = try daemon("max_long_poll_waiters = 4")
        let early = try (0..<2).map { _ in try RawClient(d.admin) }
        let late = try (0..<2).map { _ in try RawClient(d.admin) }
        for w in early { try w.send(authorizedGet("/v1/events?after=0&wait=20")) }
        for w in late { try w.send(authorizedGet("/v1/events?after=5&wait=20")) }
        let admin = try RawClient(d.admin)
        for _ in 0..<100 where try metric(admin, "payhook_long_poll_waiters") != 4 { usleep(20_000) }
        #expect(try metric(admin, "payhook_long_poll_waiters") == 4)
        try admin.send(authorizedGet("/v1/events?after=0&wait=20"))
        let full = try #require(admin.readAnswer())
        #expect(full.status == 503 && full.header("retry-after") != nil)
        let (_, status) = try callback(d, id: "wake1")
        #expect(status == 200)
        for w in early { #expect(json(w.readAnswer())?["events"]?[0]?["payment_id"]?.stringValue == "wake1") }
        // after=5 is not satisfied by seq 1: those two still wait, and were not woken.
        #expect(try metric(admin, "payhook_long_poll_waiters") == 2)
        #expect(try metric(admin, "payhook_long_poll_woken_total") == 2)
        late[0].setReceiveTimeout(ms: 200)
        #expect(late[0].readAnswer() == nil)
        // Places freed by the answered waiters are usable again.
        try admin.send(authorizedGet("/v1/events?after=0&wait=1"))
        #expect(admin.readAnswer()?.status == 200)
    }

    @Test("X-Forwarded-For on two lines: combined in order and read from the right against allow_from")
    func forwardedForLines() throws {
        let d = try daemon("")
        let c = try RawClient(d.ingest)
        let body = #"{"status":"invoice:paid","id":"xff"}"#
        // The client's own line names an allowed address; the proxy's line (last) names the real one.
        try c.send(
            nonstopayRequest("guarded", body: body, extraHeaders: "X-Forwarded-For: 203.0.113.9\r\nX-Forwarded-For: 198.51.100.1\r\n"))
        #expect(json(c.readAnswer())?["error"]?["code"]?.stringValue == "forbidden")
        try c.send(
            nonstopayRequest("guarded", body: body, extraHeaders: "X-Forwarded-For: 198.51.100.1\r\nX-Forwarded-For: 203.0.113.9\r\n"))
        #expect(c.readAnswer()?.status == 200)
        // X-Real-IP twice is not believed: the peer (127.0.0.1) is the client, not allowed.
        try c.send(nonstopayRequest("guarded", body: body, extraHeaders: "X-Real-IP: 203.0.113.9\r\nX-Real-IP: 203.0.113.10\r\n"))
        #expect(json(c.readAnswer())?["error"]?["code"]?.stringValue == "forbidden")
    }
}
