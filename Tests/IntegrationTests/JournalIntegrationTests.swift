import Glibc
import Testing

/// payhookd's stderr connected to a pipe nobody reads (a stalled journald): the loop keeps
/// answering, lines are dropped and counted, repeated refusals come out as one summary line,
/// SIGTERM is prompt.
@Suite struct JournalIntegrationTests {
    /// A pipe whose write end is payhookd's stderr, filled up front so that the first line blocks.
    final class StalledPipe {
        let read: Int32
        let write: Int32
        /// A second, non-blocking open of the write end, for filling the pipe without making
        /// the daemon's descriptor non-blocking (O_NONBLOCK belongs to the open file description).
        let filler: Int32

        init() throws {
            var fds: [Int32] = [0, 0]
            try #require(pipe(&fds) == 0)
            read = fds[0]
            write = fds[1]
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            _ = fcntl(write, 1031, 4096)  // F_SETPIPE_SZ (not in Glibc's Swift module): a small pipe fills fast
            filler = open("/proc/self/fd/\(write)", O_WRONLY | O_NONBLOCK | O_CLOEXEC)
            try #require(filler >= 0)
            let flags = fcntl(read, F_GETFL)
            _ = fcntl(read, F_SETFL, flags | O_NONBLOCK)
            fill()
        }

        /// Writes filler lines until the pipe is full.
        func fill() {
            let line = Array("filler: the test keeps the pipe full\n".utf8)
            while line.withUnsafeBytes({ Glibc.write(filler, $0.baseAddress, $0.count) }) > 0 {}
        }

        /// Everything readable now, for up to `ms` or until `done` holds for what was read.
        func drain(ms: Int, into text: inout String, until done: (String) -> Bool) {
            var buf = [UInt8](repeating: 0, count: 65536)
            for _ in 0..<(ms / 10) {
                while true {
                    let n = buf.withUnsafeMutableBytes { Glibc.read(read, $0.baseAddress, $0.count) }
                    if n <= 0 { break }
                    text += String(decoding: buf[0..<n], as: UTF8.self)
                }
                if done(text) { return }
                usleep(10_000)
            }
        }

        deinit {
            close(read)
            close(write)
            close(filler)
        }
    }

    static func forged(_ d: DaemonProcess, count: Int) throws {
        let body = #"{"status":"invoice:paid","id":"forged","amount":"9.99"}"#
        let request = rawPost(
            "/hooks/nonstopay-payin", headers: [("Content-Type", "application/json"), ("X-Signature", String(repeating: "0", count: 64))],
            body: Array(body.utf8))
        let c = try RawClient(d.ingest, timeoutMs: 5000)
        // Pipelined in batches of 8 (the default bound is 16), answers read back in order.
        for _ in 0..<(count / 8) {
            try c.send(Array(repeating: request, count: 8).flatMap { $0 })
            for _ in 0..<8 { #expect(c.readAnswer()?.status == 401) }
        }
    }

    static func timed<T>(_ body: () throws -> T) rethrows -> (T, Double) {
        let start = FloodIntegrationTests.nowMs()
        let value = try body()
        return (value, FloodIntegrationTests.nowMs() - start)
    }

    @Test("with stderr stalled, forged requests neither block health, callbacks nor SIGTERM; summaries come out later")
    func stalledStderr() throws {
        let pipe = try StalledPipe()
        let d = try DaemonProcess(
            server: "ingest = [\"127.0.0.1:0\"]\nadmin = [\"127.0.0.1:0\"]\nlog_repeat_window_ms = 100\nlog_queue_bytes = 4096",
            sources: fixtureSources,
            stderrFD: pipe.write)
        // At least 3000 forged requests over at least 3 s: with a 100 ms window, enough lines
        // (first ones and summaries) to overflow the 4 KiB queue behind the stalled pipe.
        let (_, floodMs) = try Self.timed {
            let start = FloodIntegrationTests.nowMs()
            var sent = 0
            while sent < 3000 || FloodIntegrationTests.nowMs() - start < 3000 {
                try Self.forged(d, count: 200)
                sent += 200
            }
        }
        let (health, healthMs) = try Self.timed { () throws -> RawClient.Answer? in
            let c = try RawClient(d.admin, timeoutMs: 5000)
            try c.send(get("/healthz"))
            return c.readAnswer()
        }
        #expect(health?.status == 200)
        let (valid, validMs) = try Self.timed { () throws -> RawClient.Answer? in
            let c = try RawClient(d.ingest, timeoutMs: 5000)
            try c.send(nonstopayRequest("nonstopay-payin", body: #"{"status":"invoice:paid","id":"journal-1","amount":"1.00"}"#))
            return c.readAnswer()
        }
        #expect(valid?.status == 200)
        #expect(healthMs < 1000 && validMs < 2000, "healthz \(healthMs) ms, callback \(validMs) ms, forged for \(floodMs) ms")
        let metrics = try RawClient(d.admin, timeoutMs: 5000)
        try metrics.send(get("/metrics"))
        let text = metrics.readAnswer()?.body ?? ""
        let dropped = text.split(separator: "\n").first { $0.hasPrefix("payhook_log_lines_dropped_total ") }
        #expect((dropped.flatMap { Double($0.split(separator: " ")[1]) } ?? 0) > 0, "\(dropped ?? "no metric")")

        // Someone reads again: the writer reports what it dropped, and the summaries of the
        // repeated refusals follow at the end of their window.
        var out = ""
        pipe.drain(ms: 5000, into: &out) { $0.contains("log lines dropped") && $0.contains("more rejected") }
        #expect(out.contains("log lines dropped"), "\(out.suffix(2000))")
        #expect(out.contains("ingest nonstopay-payin:") && out.contains("more rejected"), "\(out.suffix(2000))")
        let refusals = out.split(separator: "\n").filter { $0.contains("rejected") }.count
        #expect(refusals < 50, "refusal lines are not rate-limited: \(refusals)")

        // Stalled again: SIGTERM still ends the process within a few seconds.
        pipe.fill()
        try Self.forged(d, count: 80)
        let (status, stopMs) = Self.timed { () -> Int32? in
            d.signal(SIGTERM)
            return d.waitExit(timeoutMs: 20_000)
        }
        #expect(status == 0)
        #expect(stopMs < 5000, "SIGTERM took \(stopMs) ms")
    }
}
