import Glibc
import PayhookCore
import Synchronization
import Testing

/// The console against the real binary: over HTTP (assets public, every API call the page
/// makes refused without the token) and in headless Chromium driven through the DevTools
/// protocol by Tests/Scripts/console_cdp.py (one browser for the whole test).
@Suite(.serialized)
struct ConsoleIntegrationTests {
    static let token = "console-test-token-0123456789"
    static let bearer = "Authorization: Bearer \(token)\r\n"
    let hooks = HookDeliveryIntegrationTests()

    /// What the page calls (app.js), with the method it uses.
    static let pageCalls: [(String, String)] = [
        ("GET", "/v1/overview"), ("GET", "/v1/hooks"), ("GET", "/v1/events?after=0&limit=1"),
        ("GET", "/v1/events?after=0&limit=200&wait=25"), ("GET", "/v1/search?q=order-p1"),
        ("GET", "/v1/payments/nonstopay-payin/p1"), ("GET", "/v1/payments/nonstopay-payin/p1/events"),
        ("GET", "/v1/records/1"), ("GET", "/v1/rejects?limit=200"), ("POST", "/v1/rejects/reverify"),
        ("GET", "/v1/hooks/orders/parked"), ("POST", "/v1/hooks/orders/retry-parked"), ("POST", "/v1/hooks/orders/replay?from=1"),
    ]

    func request(_ d: DaemonProcess, _ method: String, _ path: String, auth: Bool, extra: String = "") throws -> RawClient.Answer? {
        let c = try RawClient(d.admin, timeoutMs: 10_000)
        try c.send("\(method) \(path) HTTP/1.1\r\nHost: t\r\n\(auth ? Self.bearer : "")\(extra)Content-Length: 0\r\n\r\n")
        return c.readAnswer()
    }

    /// A daemon holding events of three payments (one of them with a failing hook delivery,
    /// parked), a quarantined body, a duplicate and two rejects.
    func start(_ r: HookReceiver) throws -> DaemonProcess {
        r.setAnswer { x in (x.header("Payhook-Event-Id") ?? "").contains(":p2:invoice%3Acreated") ? 500 : 200 }
        let config = hooks.hookConfig("http://127.0.0.1:\(r.port)/events", extra: "retry_max_age = \"1s\"")
        let d = try DaemonProcess(
            server: ephemeralServer("admin_token = \"\(Self.token)\""), extraConfig: config, sources: fixtureSources)
        let c = try RawClient(d.ingest)
        for status in HookDeliveryIntegrationTests.statuses {
            for id in ["p1", "p2", "p3"] {
                let body =
                    #"{"status":"\#(status)","id":"\#(id)","merchant_data":"order-\#(id)","email":"buyer-\#(id)@example.com","#
                    + #""card":{"number":"4111111111111111"}}"#
                try c.send(nonstopayRequest("nonstopay-payin", body: body))
                #expect(c.readAnswer()?.status == 200)
            }
        }
        try c.send(
            nonstopayRequest(
                "nonstopay-payin",
                body:
                    #"{"status":"invoice:created","id":"p1","merchant_data":"order-p1","email":"buyer-p1@example.com","card":{"number":"4111111111111111"}}"#
            ))
        #expect(json(c.readAnswer())?["duplicate"]?.boolValue == true)
        try c.send(nonstopayRequest("nonstopay-payin", body: #"{"unexpected":true}"#))
        #expect(c.readAnswer()?.status == 200)
        for _ in 0..<2 {
            try c.send(
                "POST /hooks/nonstopay-payin HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nX-Signature: 00\r\nContent-Length: 2\r\n\r\n{}")
            #expect(c.readAnswer()?.status == 401)
        }
        return d
    }

    func waitParked(_ d: DaemonProcess) throws -> Bool {
        for _ in 0..<400 {
            let parked = json(try request(d, "GET", "/v1/hooks/orders/parked", auth: true))?["parked"]?.arrayElements ?? []
            let rejects = json(try request(d, "GET", "/v1/rejects", auth: true))?["rejects"]?.arrayElements ?? []
            if !parked.isEmpty && rejects.count == 2 { return true }
            usleep(50_000)
        }
        return false
    }

    @Test("assets are served without the token; every API call the page makes answers 401 without it, and not 401 with it")
    func withoutToken() throws {
        let r = try HookReceiver()
        defer { r.stop() }
        let d = try start(r)
        defer { d.signal(SIGKILL) }
        #expect(try waitParked(d))
        for path in ["/", "/ui/app.js", "/ui/app.css"] {
            let a = try request(d, "GET", path, auth: false)
            #expect(a?.status == 200, "\(path)")
            #expect(a?.header("content-security-policy")?.hasPrefix("default-src 'none'") == true)
            let etag = try #require(a?.header("etag"))
            #expect(try request(d, "GET", path, auth: false, extra: "If-None-Match: \(etag)\r\n")?.status == 304)
        }
        for (method, path) in Self.pageCalls {
            #expect(try request(d, method, path, auth: false)?.status == 401, "\(method) \(path)")
        }
        for (method, path) in Self.pageCalls where !path.contains("wait=") && !path.contains("replay") && !path.contains("retry") {
            let status = try request(d, method, path, auth: true)?.status ?? 0
            #expect((200...299).contains(status), "\(method) \(path) with the token: \(status)")
        }
        let found = json(try request(d, "GET", "/v1/search?q=order-p2", auth: true))?["payments"]?.arrayElements ?? []
        #expect(found.count == 1 && found.first?["payment_id"]?.stringValue == "p2")
        let record = json(try request(d, "GET", "/v1/records/1", auth: true))
        #expect(record?["request"]?["headers"]?.arrayElements?.isEmpty == false)
        #expect(record?["request"]?["body"]?.stringValue?.contains("order-p1") == true)
        let overview = json(try request(d, "GET", "/v1/overview", auth: true))
        let source = overview?["sources"]?.arrayElements?.first { $0["source"]?.stringValue == "nonstopay-payin" }
        #expect(source?["hour"]?["accepted"]?.numberText == "9")
        #expect(source?["hour"]?["quarantined"]?.numberText == "1")
        #expect(source?["hour"]?["duplicate"]?.numberText == "1")
        #expect(source?["hour"]?["rejected"]?.numberText == "2")
        #expect(source?["minutes"]?.arrayElements?.count == 60)
    }

    @Test(
        "in headless Chromium: login, overview = /metrics, live within a second, search, timeline, rejects, retry needs the token, no console errors")
    func browser() throws {
        let r = try HookReceiver()
        defer { r.stop() }
        let d = try start(r)
        defer { d.signal(SIGKILL) }
        #expect(try waitParked(d))
        r.setAnswer { _ in 200 }  // the retry from the page succeeds
        let root = #filePath.replacingSuffix("/Tests/IntegrationTests/ConsoleIntegrationTests.swift")
        let argv = [
            "/usr/bin/env", "python3", root + "/Tests/Scripts/console_cdp.py", "--admin", d.admin, "--ingest", d.ingest,
            "--token", Self.token, "--out", root + "/.build/console-screenshots", "--merchant-ref", "order-p1", "--payment", "p1",
            "--statuses", "created,pending,succeeded", "--timeout", "90",
        ]
        let pid = try DaemonProcess.spawn(
            argv, env: ["PATH": String(cString: getenv("PATH")), "HOME": String(cString: getenv("HOME") ?? strdup("/tmp"))],
            stderrPath: d.dir + "/cdp.err", stdoutPath: d.dir + "/cdp.out")
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let out = (try? DaemonProcess.readFile(d.dir + "/cdp.out")) ?? ""
        let err = (try? DaemonProcess.readFile(d.dir + "/cdp.err")) ?? ""
        #expect(status == 0, "console_cdp.py failed:\n\(err)\n\(out)")
        let result = try #require(try? JSONParser.parse(Array(out.utf8)), "no result line: \(err)")
        #expect(result["ok"]?.boolValue == true, "\(out)")
        #expect(Int(result["checks"]?.numberText ?? "") ?? 0 >= 15, "\(out)")
        print("console_cdp: \(out)")
    }
}
