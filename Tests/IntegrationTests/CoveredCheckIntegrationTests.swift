import Glibc
import PayhookCore
import Testing

/// `[storage] check_covered` through the real binary: a flipped byte in a segment the snapshot
/// covers stops start-up by default (`before_ready`), and is found after READY with
/// `after_ready` (the daemon keeps serving and says so: journal, metric).
@Suite(.serialized) struct CoveredCheckIntegrationTests {
    let recovery = RecoveryIntegrationTests()
    static let afterReady = "check_covered = \"after_ready\"\n" + RecoveryIntegrationTests.sources

    func metric(_ d: DaemonProcess, _ name: String) throws -> String? {
        let c = try RawClient(d.admin)
        try c.send(get("/metrics"))
        let text: String = c.readAnswer()?.body ?? ""
        let line = text.split(separator: "\n").first { $0.hasPrefix(name + " ") }
        return line.map { String($0.dropFirst(name.count + 1)) }
    }

    /// The metric's value once it reads `expected`, or the last value read after 10 s.
    func waitForMetric(_ d: DaemonProcess, _ name: String, _ expected: String) throws -> String? {
        var value: String?
        for _ in 0..<500 where value != expected {
            value = try metric(d, name)
            usleep(20_000)
        }
        return value
    }

    /// The daemon on `dir` with `check_covered = "after_ready"`.
    func startAfterReady(_ dir: String) throws -> DaemonProcess {
        unlink(dir + "/ready")
        return try DaemonProcess(server: ephemeralServer(), sources: Self.afterReady, dir: dir)
    }

    /// A stored log of two segments or more, with a byte flipped in the first one's second frame.
    func damagedLog() throws -> (dir: String, segment: String, offset: Int) {
        let (dir, _) = try recovery.storedLog(150, padBytes: 8000)
        let segments = recovery.segments(dir)
        try #require(segments.count >= 2, "\(segments)")
        var bytes = try recovery.readBinary(segments[0])
        let frame = recovery.frameOffsets(bytes)[1]
        bytes[frame + 40] ^= 0x20
        try recovery.writeBinary(segments[0], bytes)
        return (dir, segments[0], frame)
    }

    @Test("after_ready: READY, the damage reported by the journal and payhook_log_covered_damaged, ingest still stores")
    func afterReady() throws {
        let (dir, segment, offset) = try damagedLog()
        defer { removeTree(dir) }
        let d = try startAfterReady(dir)
        defer {
            d.signal(SIGTERM)
            _ = d.waitExit()
        }
        #expect(try waitForMetric(d, "payhook_log_covered_damaged", "1") == "1")
        #expect(
            d.stderr.contains("damage in a segment the snapshot covers, found after start-up: \(segment): damaged at byte offset \(offset)"),
            "\(d.stderr)")
        let c = try RawClient(d.ingest)
        try c.send(nonstopayRequest("nonstopay-payin", body: #"{"status":"invoice:paid","id":"after-damage"}"#))
        #expect(c.readAnswer()?.status == 200)
    }

    @Test("a clean log: the background check reads every covered segment and finds nothing")
    func afterReadyClean() throws {
        let (dir, _) = try recovery.storedLog(150, padBytes: 8000)
        defer { removeTree(dir) }
        let count = recovery.segments(dir).count
        let d = try startAfterReady(dir)
        defer {
            d.signal(SIGTERM)
            _ = d.waitExit()
        }
        #expect(try waitForMetric(d, "payhook_log_covered_checked_segments", "\(count)") == "\(count)")
        #expect(try metric(d, "payhook_log_covered_damaged") == "0")
        #expect(d.stderr.contains("log: the \(count) segments the snapshot covers checked, no damage"), "\(d.stderr)")
    }

    @Test("before_ready (the default): the same damage stops start-up, naming the segment and offset")
    func beforeReady() throws {
        let (dir, segment, offset) = try damagedLog()
        defer { removeTree(dir) }
        unlink(dir + "/ready")
        let d = try DaemonProcess(
            server: ephemeralServer(), sources: RecoveryIntegrationTests.sources, awaitReady: false,
            dir: dir)
        #expect(d.waitExit(timeoutMs: 30_000) == 1)
        #expect(access(dir + "/ready", F_OK) != 0)
        #expect(d.stderr.contains("\(segment): damaged at byte offset \(offset)"), "\(d.stderr)")
    }
}
