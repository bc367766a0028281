import Glibc
import PayhookCore
import Synchronization
import Testing

/// The operator's hook controls through the real binary: parked list, retry-parked, replay, the
/// `payhookd hooks` commands and the per-hook metrics.
@Suite(.serialized)
struct HookOperatorIntegrationTests {
    let base = HookDeliveryIntegrationTests()

    func admin(_ d: DaemonProcess, _ method: String, _ path: String) throws -> (status: Int, body: JSONValue?) {
        let c = try RawClient(d.admin)
        try c.send("\(method) \(path) HTTP/1.1\r\nHost: test\r\nContent-Length: 0\r\n\r\n")
        let answer = c.readAnswer()
        return (answer?.status ?? 0, json(answer))
    }

    func parked(_ d: DaemonProcess) throws -> [JSONValue] {
        try admin(d, "GET", "/v1/hooks/orders/parked").body?["parked"]?.arrayElements ?? []
    }

    func cli(_ d: DaemonProcess, _ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try runCLI(["hooks"] + args + ["--config", d.dir + "/payhookd.toml", "--admin", d.admin], dir: d.dir)
    }

    func metric(_ d: DaemonProcess, _ sample: String) throws -> String? {
        let c = try RawClient(d.admin)
        try c.send(get("/metrics"))
        let text: String = c.readAnswer()?.body ?? ""
        let prefix = sample + " "
        let lines: [Substring] = text.split(separator: "\n")
        guard let line = lines.first(where: { $0.hasPrefix(prefix) }) else { return nil }
        return String(line.dropFirst(prefix.count))
    }

    @Test("parked, then retry-parked: delivered in order, gone from the parked list, also after a restart; CLI and metrics")
    func retryParked() throws {
        let r = try HookReceiver()
        defer { r.stop() }
        let failing = Mutex(true)
        r.setAnswer { x in (x.header("Payhook-Event-Id") ?? "").contains(":bad:invoice%3Acreated") && failing.withLock { $0 } ? 500 : 200 }
        let config = base.hookConfig("http://127.0.0.1:\(r.port)/events", extra: "retry_max_age = \"1s\"")
        let d = try DaemonProcess(server: ephemeralServer(), extraConfig: config, sources: fixtureSources)
        defer { d.signal(SIGKILL) }
        try base.post(d, payments: ["bad", "good"])
        #expect(r.wait { rs in rs.filter { (200...299).contains($0.status) }.count >= 5 })
        var list = try parked(d)
        for _ in 0..<100 where list.isEmpty {
            usleep(20_000)
            list = try parked(d)
        }
        #expect(list.count == 1)
        #expect(list.first?["seq"]?.numberText == "1")
        #expect(list.first?["event_id"]?.stringValue == "nonstopay-payin:bad:invoice%3Acreated")
        #expect(list.first?["last_error"]?.stringValue?.hasPrefix("HTTP 500") == true)
        #expect(Int(list.first?["attempts"]?.numberText ?? "") ?? 0 >= 1)

        let table = try cli(d, ["parked", "orders"])
        #expect(table.status == 0)
        #expect(table.stdout.hasPrefix("SEQ  EVENT_ID"), "\(table.stdout)")
        #expect(table.stdout.contains("\n1    nonstopay-payin:bad:invoice%3Acreated  "), "\(table.stdout)")
        let raw = try cli(d, ["parked", "orders", "--json"])
        #expect((try? JSONParser.parse(Array(raw.stdout.utf8)))?["parked"]?.arrayElements?.count == 1)
        let hooks = try cli(d, ["list"])
        #expect(hooks.stdout.hasPrefix("NAME    KIND  STATE"), "\(hooks.stdout)")
        #expect(hooks.stdout.contains("\norders  http  "), "\(hooks.stdout)")
        #expect(try cli(d, ["parked", "nosuch"]).status == 1)
        #expect(try metric(d, "payhook_hook_parked_total{hook=\"orders\"}") == "1")
        #expect(Int(try metric(d, "payhook_hook_failed_attempts_total{hook=\"orders\",cause=\"status\"}") ?? "") ?? 0 >= 1)

        failing.withLock { $0 = false }
        let retried = try cli(d, ["retry-parked", "orders"])
        #expect(retried.status == 0)
        #expect(retried.stdout == "hook orders: 1 of 1 parked events queued again\n")
        #expect(r.wait { rs in rs.filter { (200...299).contains($0.status) }.count >= 6 })
        #expect(r.delivered.last?.header("Payhook-Event-Id") == "nonstopay-payin:bad:invoice%3Acreated")
        #expect(r.delivered.last?.header("Payhook-Seq") == "1")
        for _ in 0..<100 where try !parked(d).isEmpty { usleep(20_000) }
        #expect(try parked(d).isEmpty)
        #expect(try metric(d, "payhook_hook_delivered_total{hook=\"orders\"}") == "6")
        // A parked event delivered later is not a durable-to-delivered latency sample.
        #expect(try metric(d, "payhook_hook_delivery_seconds_count{hook=\"orders\"}") == "5")
        #expect(try metric(d, "payhook_hook_parked{hook=\"orders\"}") == "0")

        d.signal(SIGTERM)
        #expect(d.waitExit() == 0)
        unlink(d.dir + "/ready")  // the new process writes its own addresses
        let again = try DaemonProcess(server: ephemeralServer(), extraConfig: config, sources: fixtureSources, dir: d.dir)
        defer { again.signal(SIGKILL) }
        #expect(try parked(again).isEmpty, "delivered after the retry: not parked after a restart either")
        usleep(300_000)
        #expect(r.delivered.count == 6, "nothing sent again")
    }

    @Test("replay from a seq re-sends exactly the matching events from there; a bad seq is 400, an unknown hook 404")
    func replay() throws {
        let r = try HookReceiver()
        defer { r.stop() }
        // Through the filters: only pending and succeeded go to this hook.
        let config = base.hookConfig("http://127.0.0.1:\(r.port)/events", extra: "statuses = [\"pending\", \"succeeded\"]")
        let d = try DaemonProcess(server: ephemeralServer(), extraConfig: config, sources: fixtureSources)
        defer { d.signal(SIGKILL) }
        try base.post(d, payments: ["p1", "p2", "p3"])
        #expect(r.wait { $0.filter { (200...299).contains($0.status) }.count >= 6 })
        usleep(200_000)
        let first = r.delivered.compactMap { $0.header("Payhook-Seq").flatMap { UInt64($0) } }
        #expect(first.count == 6)
        #expect(try admin(d, "POST", "/v1/hooks/orders/replay?from=0").status == 400)
        #expect(try admin(d, "POST", "/v1/hooks/orders/replay?from=x").status == 400)
        #expect(try admin(d, "POST", "/v1/hooks/orders/replay").status == 400)
        #expect(try admin(d, "POST", "/v1/hooks/orders/replay?from=10").status == 400, "past the newest seq, 9")
        #expect(try admin(d, "POST", "/v1/hooks/nosuch/replay?from=1").status == 404)
        #expect(try admin(d, "POST", "/v1/hooks/nosuch/retry-parked").status == 404)

        let run = try cli(d, ["replay", "orders", "--from", "5"])
        #expect(run.status == 0)
        #expect(run.stdout == "hook orders: replaying seqs 5 to 9\n", "\(run.stdout)")
        let expected = first.filter { $0 >= 5 }
        #expect(r.wait { $0.filter { (200...299).contains($0.status) }.count >= 6 + expected.count })
        usleep(300_000)
        let again = r.delivered.dropFirst(6).compactMap { $0.header("Payhook-Seq").flatMap { UInt64($0) } }
        #expect(again.sorted() == expected.sorted())
        // New events keep flowing, in order per payment, after a replay.
        try base.post(d, payments: ["p4"])
        #expect(r.wait { $0.filter { (200...299).contains($0.status) }.count >= 6 + expected.count + 2 })
    }

    @Test("several parked events of one payment: a failing retry parks them again; a good one delivers them in seq order")
    func retryParkedInOrder() throws {
        let r = try HookReceiver()
        defer { r.stop() }
        let failing = Mutex(true)
        r.setAnswer { x in (x.header("Payhook-Event-Id") ?? "").contains(":bad:") && failing.withLock { $0 } ? 500 : 200 }
        let config = base.hookConfig("http://127.0.0.1:\(r.port)/events", extra: "retry_max_age = \"1s\"")
        let d = try DaemonProcess(server: ephemeralServer(), extraConfig: config, sources: fixtureSources)
        defer { d.signal(SIGKILL) }
        try base.post(d, payments: ["bad", "good"])
        func waitParked(_ n: Int, idle: Bool) throws -> [JSONValue] {
            var list: [JSONValue] = []
            for _ in 0..<1000 {
                list = try parked(d)
                if list.count == n && (!idle || list.allSatisfy { $0["retrying"]?.boolValue == false }) { break }
                usleep(20_000)
            }
            return list
        }
        var list = try waitParked(3, idle: true)
        #expect(list.compactMap { $0["seq"]?.numberText } == ["1", "3", "5"])
        let before = r.received.count

        // Still failing: retried, parked again, still listed (entries replaced, not added).
        #expect(try admin(d, "POST", "/v1/hooks/orders/retry-parked").status == 202)
        #expect(try parked(d).allSatisfy { $0["retrying"]?.boolValue == true })
        #expect(r.wait { $0.count >= before + 3 })
        list = try waitParked(3, idle: true)
        #expect(list.count == 3)
        #expect(try metric(d, "payhook_hook_parked_total{hook=\"orders\"}") == "6")

        failing.withLock { $0 = false }
        #expect(try admin(d, "POST", "/v1/hooks/orders/retry-parked").body?["queued"]?.numberText == "3")
        #expect(r.wait { $0.filter { (200...299).contains($0.status) }.count >= 6 })
        base.expectInOrder(r, payments: ["bad", "good"])
        #expect(try waitParked(0, idle: false).isEmpty)
    }
}
