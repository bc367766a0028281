import Glibc
import PayhookCore
import Testing

/// `payhookd log stats`: index memory by part and the newest snapshot, from the real binary.
@Suite(.serialized) struct CLILogStatsTests {
    private func fields(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            out[String(line[..<colon])] = String(line[line.index(after: colon)...].drop { $0 == " " })
        }
        return out
    }

    @Test("log stats reports index memory per part and the newest snapshot's seq, size and age")
    func indexAndSnapshot() throws {
        let d = try DaemonProcess(server: ephemeralServer(), sources: fixtureSources)
        let c = try RawClient(d.ingest)
        for id in 1...3 {
            try c.send(nonstopayRequest("nonstopay-payin", body: "{\"status\":\"invoice:paid\",\"id\":\"\(id)\"}"))
            #expect(c.readAnswer()?.status == 200)
        }
        d.signal(SIGTERM)  // the final snapshot covers seq 3
        #expect(d.waitExit() == 0)
        let storage = d.dir + "/var"
        let snap = storage + "/log/index-00000000000000000003.snap"
        var st = stat()
        #expect(lstat(snap, &st) == 0, "the final snapshot exists")

        let stats = try runCLI(["log", "stats", "--dir", storage], dir: d.dir)
        #expect(stats.status == 0, "\(stats.stderr)")
        let f = fields(stats.stdout)
        #expect(f["index_dedup_entries"] == "3", "\(stats.stdout)")
        #expect(f["index_payments_entries"] == "3")
        #expect(f["index_segments_entries"] == "3")
        for part in ["dedup", "payments", "segments"] {
            #expect((Int(f["index_\(part)_bytes"] ?? "") ?? 0) > 0, "\(part): \(stats.stdout)")
        }
        #expect(f["snapshot_seq"] == "3")
        #expect(f["snapshot_bytes"] == String(st.st_size))
        #expect((Int(f["snapshot_age_seconds"] ?? "") ?? -1) >= 0)
        #expect((Int(f["snapshot_age_seconds"] ?? "") ?? .max) < 600)

        // The age is the file's: an hour-old mtime reads as at least an hour.
        var times = [timeval(tv_sec: time(nil) - 3700, tv_usec: 0), timeval(tv_sec: time(nil) - 3700, tv_usec: 0)]
        #expect(utimes(snap, &times) == 0)
        let older = fields(try runCLI(["log", "stats", "--dir", storage], dir: d.dir).stdout)
        let age = Int(older["snapshot_age_seconds"] ?? "") ?? 0
        #expect(age >= 3700 && age < 3700 + 600, "\(age)")
    }

    @Test("log stats without a snapshot: the index from a full replay, snapshot fields `-`")
    func noSnapshot() throws {
        let d = try DaemonProcess(server: ephemeralServer(), sources: fixtureSources)
        let c = try RawClient(d.ingest)
        try c.send(nonstopayRequest("nonstopay-payin", body: #"{"status":"invoice:paid","id":"9"}"#))
        #expect(c.readAnswer()?.status == 200)
        d.signal(SIGTERM)
        #expect(d.waitExit() == 0)
        let logDir = d.dir + "/var/log"
        #expect(unlink(logDir + "/index-00000000000000000001.snap") == 0)
        let f = fields(try runCLI(["log", "stats", "--dir", d.dir + "/var"], dir: d.dir).stdout)
        #expect(f["index_dedup_entries"] == "1")
        #expect(f["snapshot_seq"] == "-" && f["snapshot_bytes"] == "-" && f["snapshot_age_seconds"] == "-")
    }

    @Test("the console's overview gives the snapshot file's age: one written an hour before start-up reads as an hour old")
    func overviewSnapshotAge() throws {
        let dir = DaemonProcess.makeTempDir()
        var d: DaemonProcess? = try DaemonProcess(server: ephemeralServer(), sources: fixtureSources, dir: dir)
        let c = try RawClient(d!.ingest)
        try c.send(nonstopayRequest("nonstopay-payin", body: #"{"status":"invoice:paid","id":"1"}"#))
        #expect(c.readAnswer()?.status == 200)
        d!.signal(SIGTERM)  // the final snapshot covers seq 1
        #expect(d!.waitExit() == 0)
        d = nil
        let snap = dir + "/var/log/index-00000000000000000001.snap"
        var times = [timeval(tv_sec: time(nil) - 3700, tv_usec: 0), timeval(tv_sec: time(nil) - 3700, tv_usec: 0)]
        #expect(utimes(snap, &times) == 0)
        unlink(dir + "/ready")
        let again = try DaemonProcess(server: ephemeralServer(), sources: fixtureSources, dir: dir)
        let admin = try RawClient(again.admin)
        try admin.send(get("/v1/overview"))
        let overview = try #require(json(admin.readAnswer()))
        #expect(overview["log"]?["snapshot_seq"]?.numberText == "1", "\(overview)")
        let age = Int(overview["log"]?["snapshot_age_seconds"]?.numberText ?? "") ?? 0
        #expect(age >= 3700 && age < 3700 + 600, "\(age)")
    }
}
