import Glibc
import Synchronization
import Testing

/// `max_pipelined` through the real binary: how many requests share one connection.
@Suite(.serialized)
struct HookPipelineIntegrationTests {
    /// Three events of three payments in flight at once (`max_in_flight = 3`) while the receiver
    /// holds its answers: with `max_pipelined` 3 all three go on one connection, with 2 the third
    /// needs a second one. Once the answers come, every event is delivered once.
    @Test("max_pipelined N: N requests share a connection, the (N+1)-th opens another", arguments: [(3, 1), (2, 2)])
    func pipelinedRequestsShareAConnection(limit: Int, connections: Int) throws {
        let r = try HookReceiver()
        defer { r.stop() }
        let released = Atomic<Bool>(false)
        r.setAnswer { _ in
            while !released.load(ordering: .relaxed) { usleep(1000) }
            return 204
        }
        let hook = """
            [[hooks]]
            name = "orders"
            url = "http://127.0.0.1:\(r.port)/events"
            timeout_ms = 20000
            max_in_flight = 3
            max_pipelined = \(limit)
            """
        let d = try DaemonProcess(server: ephemeralServer(), extraConfig: hook, sources: fixtureSources)
        defer { d.signal(SIGKILL) }
        let c = try RawClient(d.ingest)
        for id in ["p1", "p2", "p3"] {
            try c.send(nonstopayRequest("nonstopay-payin", body: "{\"status\":\"invoice:paid\",\"id\":\"\(id)\"}"))
            #expect(c.readAnswer()?.status == 200)
        }
        // All three are sent before any answer; give the daemon time to (wrongly) open more.
        for _ in 0..<250 where r.accepted.load(ordering: .relaxed) < connections { usleep(20_000) }
        usleep(300_000)
        #expect(r.accepted.load(ordering: .relaxed) == connections)
        released.store(true, ordering: .relaxed)
        #expect(r.wait { $0.count >= 3 })
        usleep(200_000)
        #expect(Set(r.delivered.compactMap { $0.header("Payhook-Event-Id") }).count == 3)
        #expect(r.received.count == 3)
        d.signal(SIGTERM)
        #expect(d.waitExit() == 0)
    }
}
