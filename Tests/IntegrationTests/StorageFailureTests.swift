import Glibc
import PayhookCore
import Testing

/// The storage failure paths of the real (debug) binary, driven by `PAYHOOKD_FAULTS`: no 2xx
/// unless the record's fdatasync completed.
@Suite(.serialized) struct StorageFailureTests {
    let body = #"{"status":"invoice:paid","id":"512","amount":"1.00"}"#

    @Test("ENOSPC on write: 503 with Retry-After, nothing stored; the next attempt is stored")
    func noSpace() throws {
        let d = try DaemonProcess(server: ephemeralServer(), sources: fixtureSources, environment: ["PAYHOOKD_FAULTS": "pwrite:\(ENOSPC):1"])
        let c = try RawClient(d.ingest)
        try c.send(nonstopayRequest("nonstopay-payin", body: body))
        let refused = try #require(c.readAnswer())
        #expect(refused.status == 503)
        #expect(refused.header("retry-after") != nil)
        try c.send(nonstopayRequest("nonstopay-payin", body: body))
        let stored = try #require(json(c.readAnswer()))
        #expect(stored["duplicate"]?.boolValue == false, "the refused attempt was not stored")
        #expect(stored["seq"]?.numberText == "1", "the failed batch consumed no seq")
        let admin = try RawClient(d.admin)
        try admin.send(get("/readyz"))
        #expect(admin.readAnswer()?.status == 200)
    }

    @Test("EIO on fdatasync: 503, the daemon stops with status 1; after restart the resend is answered once")
    func fsyncFailure() throws {
        let dir = DaemonProcess.makeTempDir()
        var d: DaemonProcess? = try DaemonProcess(
            server: ephemeralServer(), sources: fixtureSources, environment: ["PAYHOOKD_FAULTS": "fdatasync:\(EIO):1"], dir: dir)
        let c = try RawClient(d!.ingest)
        try c.send(nonstopayRequest("nonstopay-payin", body: body))
        #expect(c.readAnswer()?.status == 503)
        #expect(d!.waitExit() == 1)
        #expect(d!.stderr.contains("<3>payhookd: log:"))
        d = nil
        unlink(dir + "/ready")
        let again = try DaemonProcess(server: ephemeralServer(), sources: fixtureSources, dir: dir)
        let c2 = try RawClient(again.ingest)
        try c2.send(nonstopayRequest("nonstopay-payin", body: body))
        let answer = try #require(json(c2.readAnswer()))
        #expect(answer["ok"]?.boolValue == true)
        let admin = try RawClient(again.admin)
        try admin.send(get("/v1/payments/nonstopay-payin/512"))
        #expect(json(admin.readAnswer())?["events"]?.numberText == "1")
    }

    @Test("a failed high-water mark or snapshot write is a metric and a log line; acks go on")
    func snapshotFailureReported() throws {
        let d = try DaemonProcess(
            // A [storage] key: it must come before the [[sources]] tables.
            server: ephemeralServer(), sources: "acked_mark_interval_ms = 300\n" + fixtureSources,
            // The first rename is the ready file's; the second the mark's.
            environment: ["PAYHOOKD_FAULTS": "rename:\(EIO):1:1"])
        let c = try RawClient(d.ingest)
        try c.send(nonstopayRequest("nonstopay-payin", body: body))
        #expect(c.readAnswer()?.status == 200)
        // The mark is written off the ack path, one interval after start-up at the earliest,
        // whether or not another batch comes.
        let admin = try RawClient(d.admin)
        var failures: Double?
        for _ in 0..<200 {
            try admin.send(get("/metrics"))
            let text = admin.readAnswer()?.body ?? ""
            let line = text.split(separator: "\n").first { $0.hasPrefix("payhook_snapshot_failures_total ") }
            failures = line.flatMap { Double($0.split(separator: " ")[1]) }
            if (failures ?? 0) >= 1 { break }
            usleep(20_000)
        }
        #expect(failures == 1)
        // The metric can be read before the journal's writer thread has written the line.
        let line = "<3>payhookd: log maintenance: writing the high-water mark"
        for _ in 0..<500 where !d.stderr.contains(line) { usleep(10_000) }
        #expect(d.stderr.contains(line))
    }
}
