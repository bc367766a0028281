import Glibc
import Testing

/// A hook whose target refuses connections, through the real binary: attempts wait for the
/// hook-wide connect backoff instead of each new event failing at once, and everything arrives
/// once the target is up.
@Suite(.serialized)
struct HookBackoffIntegrationTests {
    let base = HookDeliveryIntegrationTests()
    let ops = HookOperatorIntegrationTests()

    @Test("a dead target costs a few connects per backoff window, not one per event; all arrive once it is up")
    func deadTargetBacksOffHookWide() throws {
        let port = try HookReceiver.freePort()
        let d = try DaemonProcess(
            server: ephemeralServer(), extraConfig: base.hookConfig("http://127.0.0.1:\(port)/events"), sources: fixtureSources)
        defer { d.signal(SIGKILL) }
        let payments = (1...20).map { "p\($0)" }
        try base.post(d, payments: payments)  // 60 events, 20 payments
        usleep(1_500_000)
        let connects = Int(try ops.metric(d, "payhook_hook_failed_attempts_total{hook=\"orders\",cause=\"connect\"}") ?? "") ?? -1
        // Windows of 1 s then 2 s: at most max_in_flight (4) attempts per window, two windows.
        #expect(connects >= 1 && connects <= 8, "connect failures: \(connects)")
        let r = try HookReceiver(port: port)
        defer { r.stop() }
        #expect(r.wait(timeoutMs: 30_000) { $0.count >= 60 })
        for (payment, ids) in base.deliveredByPayment(r) {
            #expect(ids == HookDeliveryIntegrationTests.statuses.map { HookDeliveryIntegrationTests.headerID(payment, $0) })
        }
    }
}
