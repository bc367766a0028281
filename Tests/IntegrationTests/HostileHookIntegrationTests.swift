import Glibc
import PayhookCore
import Testing

/// Hook targets that misbehave: each attempt fails with its cause counted, the daemon neither
/// crashes nor grows, and ingest keeps answering quickly throughout.
@Suite(.serialized)
struct HostileHookIntegrationTests {
    static let modes: [(String, HostileHookTarget.Mode, cause: String)] = [
        ("silent", .silent, "timeout"), ("badstatus", .badStatusLine, "protocol"),
        ("trickle", .trickledHugeBody, "timeout"), ("reset", .resetMidAnswer, "protocol"),
    ]

    @Test("no answer, invalid status line, 1 GB body trickled, reset mid-answer: failures by cause, RSS flat, ingest unaffected")
    func hostileTargets() throws {
        let targets = try Self.modes.map { try HostileHookTarget($0.1) }
        defer { for t in targets { t.stop() } }
        var config = ""
        for (i, mode) in Self.modes.enumerated() {
            config += """
                [[hooks]]
                name = "\(mode.0)"
                url = "http://127.0.0.1:\(targets[i].port)/events"
                start = "beginning"
                timeout_ms = 500
                retry_max_interval = "1s"

                """
        }
        let d = try DaemonProcess(server: ephemeralServer(), extraConfig: config, sources: fixtureSources)
        defer { d.signal(SIGKILL) }
        let c = try RawClient(d.ingest)
        func post(_ i: Int) throws -> Double {
            let start = FloodIntegrationTests.nowMs()
            try c.send(nonstopayRequest("nonstopay-payin", body: "{\"status\":\"invoice:paid\",\"id\":\"h\(i)\"}"))
            #expect(c.readAnswer()?.status == 200)
            return FloodIntegrationTests.nowMs() - start
        }
        for i in 0..<4 { _ = try post(i) }
        usleep(1_500_000)  // first attempts and retries under way
        let rssBefore = d.rssKB
        var times: [Double] = []
        for i in 4..<40 {
            times.append(try post(i))
            usleep(150_000)
        }
        let rssAfter = d.rssKB
        #expect(d.poll() == nil, "still running")
        times.sort()
        let median = times[times.count / 2]
        // Tolerant of a loaded 2-core machine: an fdatasync each, no hook in the way.
        #expect(median < 200, "median ingest answer \(median) ms")
        #expect(times.last! < 2000, "slowest ingest answer \(times.last!) ms")
        #expect(rssAfter - rssBefore < 16_384, "RSS \(rssBefore) kB -> \(rssAfter) kB")
        print("hostile hooks: ingest median \(median) ms, slowest \(times.last!) ms; RSS \(rssBefore) -> \(rssAfter) kB")

        let admin = try RawClient(d.admin)
        try admin.send(get("/metrics"))
        let text: String = admin.readAnswer()?.body ?? ""
        let lines: [Substring] = text.split(separator: "\n")
        for mode in Self.modes {
            let prefix = "payhook_hook_failed_attempts_total{hook=\"\(mode.0)\",cause=\"\(mode.cause)\"} "
            let value = lines.first { $0.hasPrefix(prefix) }.flatMap { Int($0.dropFirst(prefix.count)) } ?? 0
            #expect(value >= 2, "\(mode.0): \(mode.cause) failures \(value)")
            let delivered = "payhook_hook_delivered_total{hook=\"\(mode.0)\"} 0"
            #expect(lines.contains { $0 == delivered }, "\(mode.0) delivered nothing")
        }
        d.signal(SIGTERM)
        #expect(d.waitExit() == 0)
    }
}
