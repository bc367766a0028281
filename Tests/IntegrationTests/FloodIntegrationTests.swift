import Glibc
import Testing

/// Unsigned floods against the real binary: the rejects store stays within its bound on disk,
/// valid callbacks keep their latency, memory stays bounded, SIGTERM is prompt.
@Suite(.serialized) struct FloodIntegrationTests {
    static let rejectsMaxBytes = 1_048_576
    static let segments = 8
    static let sources = """
        rejects_max_bytes = \(rejectsMaxBytes)
        rejects_segments = \(segments)
        # Sampling off: the on-disk bound and the queue must hold by themselves.
        rejects_client_burst = 1000000
        rejects_client_rate_per_second = 100000
        [[sources]]
        name = "nonstopay-payin"
        provider = "nonstopay"
        kind = "payin"
        signature = "hmac-sha256-hex"
        secret = "nonstopay-test-secret"
        """

    /// wrk's script: every request a JSON POST with a signature that never matches.
    static let wrkScript = """
        wrk.method = "POST"
        wrk.body = '{"status":"invoice:paid","id":"forged-1","amount":"9.99"}'
        wrk.headers["Content-Type"] = "application/json"
        wrk.headers["X-Signature"] = "0000000000000000000000000000000000000000000000000000000000000000"
        """

    static func nowMs() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1e6
    }

    /// Bytes allocated on disk (st_blocks) and the number of files in `dir`.
    static func diskUsage(_ dir: String) -> (bytes: Int, files: Int) {
        guard let d = opendir(dir) else { return (0, 0) }
        defer { closedir(d) }
        var bytes = 0
        var files = 0
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name == "." || name == ".." { continue }
            var st = stat()
            if lstat(dir + "/" + name, &st) == 0 {
                bytes += Int(st.st_blocks) * 512
                files += 1
            }
        }
        return (bytes, files)
    }

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .infinity }
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
    }

    /// Sends signed callbacks (unique ids) every `intervalMs` until `until()` says stop; returns
    /// each one's latency in ms, and calls `tick` about once a second.
    static func validCallbacks(
        _ d: DaemonProcess, tag: String, intervalMs: Double = 20, tick: () -> Void = {}, until: (Int) -> Bool
    ) throws -> [Double] {
        var latencies: [Double] = []
        var c = try RawClient(d.ingest, timeoutMs: 30_000)
        var lastTick = nowMs()
        var n = 0
        while !until(n) {
            let start = nowMs()
            let body = "{\"status\":\"invoice:paid\",\"id\":\"\(tag)-\(n)\",\"amount\":\"1.00\"}"
            try c.send(nonstopayRequest("nonstopay-payin", body: body))
            guard let answer = c.readAnswer() else {
                Issue.record("valid callback \(tag)-\(n): no answer")
                c = try RawClient(d.ingest, timeoutMs: 30_000)
                continue
            }
            #expect(answer.status == 200, "valid callback \(tag)-\(n): \(answer.status) \(answer.body)")
            let end = nowMs()
            latencies.append(end - start)
            n += 1
            if end - lastTick >= 1000 {
                tick()
                lastTick = end
            }
            let wait = intervalMs - (end - start)
            if wait > 0 { usleep(useconds_t(wait * 1000)) }
        }
        return latencies
    }

    @Test("a 20 s unsigned flood: rejects on disk within the bound, valid callbacks unhurt, RSS bounded, prompt SIGTERM")
    func unsignedFlood() throws {
        try #require(access("/usr/bin/wrk", X_OK) == 0, "wrk is missing: make test installs it (DEB_TEST_PACKAGES)")
        let d = try DaemonProcess(server: "ingest = [\"127.0.0.1:0\"]\nadmin = [\"127.0.0.1:0\"]", sources: Self.sources)
        let rejectsDir = d.dir + "/var/rejects"
        // Reference without flood, same daemon, same run.
        let quietStart = Self.nowMs()
        let quiet = try Self.validCallbacks(d, tag: "quiet") { _ in Self.nowMs() - quietStart > 4000 }
        let idleRSS = d.rssKB
        try DaemonProcess.writeFile(d.dir + "/forged.lua", Self.wrkScript)
        let wrk = try DaemonProcess.spawn(
            ["/usr/bin/wrk", "-t1", "-c16", "-d20s", "-s", d.dir + "/forged.lua", "http://\(d.ingest)/hooks/nonstopay-payin"],
            env: ["PATH": "/usr/bin:/bin"], stderrPath: d.dir + "/wrk.err", stdoutPath: d.dir + "/wrk.out")
        var maxDisk = 0
        var maxFiles = 0
        var maxRSS = 0
        var wrkDone = false
        let sample = {
            let usage = Self.diskUsage(rejectsDir)
            maxDisk = max(maxDisk, usage.bytes)
            maxFiles = max(maxFiles, usage.files)
            maxRSS = max(maxRSS, d.rssKB)
        }
        let flood = try Self.validCallbacks(d, tag: "flood", tick: sample) { _ in
            var status: Int32 = 0
            if !wrkDone, waitpid(wrk, &status, WNOHANG) == wrk { wrkDone = true }
            return wrkDone
        }
        usleep(300_000)  // what was queued when wrk stopped reaches the disk
        sample()
        let wrkOut = (try? DaemonProcess.readFile(d.dir + "/wrk.out")) ?? ""
        let stopStart = Self.nowMs()
        d.signal(SIGTERM)
        let status = d.waitExit(timeoutMs: 30_000)
        let stopMs = Self.nowMs() - stopStart
        let (q50, q99) = (Self.percentile(quiet, 0.5), Self.percentile(quiet, 0.99))
        let (f50, f99) = (Self.percentile(flood, 0.5), Self.percentile(flood, 0.99))
        let summary =
            "quiet p50 \(q50) p99 \(q99) ms (\(quiet.count)); flood p50 \(f50) p99 \(f99) ms (\(flood.count)); "
            + "rejects disk max \(maxDisk) B in \(maxFiles) files; RSS idle \(idleRSS) max \(maxRSS) kB; SIGTERM \(Int(stopMs)) ms; "
            + "wrk: \(wrkOut.split(separator: "\n").filter { $0.contains("Requests/sec") || $0.contains("requests in") })"
        print("flood: " + summary)
        #expect(status == 0, "\(summary)")
        // The bound holds on disk; slack: one segment (a segment is opened before the oldest
        // is deleted) plus the directory's own blocks.
        #expect(maxDisk <= Self.rejectsMaxBytes + Self.rejectsMaxBytes / Self.segments + 8192, "\(summary)")
        #expect(maxFiles <= Self.segments + 1, "\(summary)")
        // Loose factors: the machine is shared and wrk takes one of its two cores.
        #expect(f50 <= max(q50 * 10, 50), "\(summary)")
        #expect(f99 <= max(q99 * 10, 250), "\(summary)")
        #expect(flood.count >= 200, "too few valid callbacks during the flood: \(summary)")
        #expect(maxRSS <= idleRSS + 64 * 1024, "\(summary)")
        #expect(stopMs <= 5000, "\(summary)")
    }
}
