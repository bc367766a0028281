import CLinuxShim
import Glibc
import PayhookCore
import PayhookLog
import PayhookPosix
import PayhookStore
import Synchronization

enum Bench {
    static func event(_ n: Int, receivedAtMs: Int64) -> LogPayload {
        let payment = "pay-\(n / 3)"
        let status: PaymentStatus = [.created, .pending, .succeeded][n % 3]
        let body = Array(
            "{\"id\":\"\(payment)\",\"status\":\"\(status.rawValue)\",\"amount\":\"100.00\",\"currency\":\"EUR\",\"merchant_ref\":\"ORDER-\(n)\",\"padding\":\"\(String(repeating: "x", count: 200))\"}"
                .utf8)
        let request = StoredRequest(
            peerAddress: "127.0.0.1:40000", clientAddress: "203.0.113.9", path: "/hooks/noventiq",
            headers: [
                HeaderField("content-type", "application/json"), HeaderField("x-signature", String(repeating: "a", count: 128)),
                HeaderField("user-agent", "Noventiq-Webhooks/1.0"),
            ],
            body: body, bodyIsJSON: true)
        let e = NormalizedEvent(
            id: "noventiq:\(payment):\(status.rawValue)", source: "noventiq", provider: "noventiq", kind: "payment",
            paymentID: payment, merchantRef: "ORDER-\(n)", status: status, providerStatus: status.rawValue,
            providerEvent: "order.payment.\(status.rawValue)", amount: "100.00", currency: "EUR",
            occurredAt: "2026-11-22T10:00:00Z", receivedAtMs: receivedAtMs, verifiedBy: "sha512-fields")
        return .event(request, e)
    }

    /// A one-shot latch per ticket owner: the dispatcher wakes the submitter waiting on it.
    final class Latch: @unchecked Sendable {
        let lock = ConditionLock()
        var done = false
        func fire() {
            lock.withLock {
                done = true
                lock.signal()
            }
        }
        func wait() {
            lock.withLock {
                while !done { lock.wait() }
                done = false
            }
        }
    }

    static func options(maxBatch: Int) -> LogOptions {
        var o = LogOptions()
        o.maxBatchRecords = maxBatch
        o.retentionDays = 0
        return o
    }

    static func append(dir: String, submitters: Int, records: Int, maxBatch: Int) {
        let wake = Latch()
        let opened = try! Log.open(dir: dir, options: options(maxBatch: maxBatch), isDelivered: { _ in true }, onDurable: { wake.fire() })
        let writer = opened.writer
        let latches = (0..<submitters).map { _ in Latch() }
        let perSubmitter = records / submitters
        let stop = Atomic<Bool>(false)
        let dispatcher = try! PosixThread.spawn(name: "dispatch") {
            var seen = 0
            while seen < perSubmitter * submitters && !stop.load(ordering: .relaxed) {
                wake.wait()
                for c in writer.takeCompletions() {
                    precondition(c.seq != nil, "append failed: \(c.result)")
                    latches[Int(c.ticket % UInt64(submitters))].fire()
                    seen += 1
                }
            }
        }
        let start = cshim_monotonic_ns()
        let threads = (0..<submitters).map { s in
            try! PosixThread.spawn(name: "submit") {
                for i in 0..<perSubmitter {
                    let n = i * submitters + s
                    writer.submit(event(n, receivedAtMs: 1_795_341_600_000), ticket: UInt64(n))
                    latches[s].wait()
                }
            }
        }
        for t in threads { t.join() }
        let seconds = Double(cshim_monotonic_ns() - start) / 1e9
        stop.store(true, ordering: .relaxed)
        wake.fire()
        dispatcher.join()
        let done = perSubmitter * submitters
        let syncs = writer.fdatasyncCount
        writer.shutdown { nil }  // no index kept: retention is off, nothing to snapshot
        print(
            "append submitters=\(submitters) max_batch=\(maxBatch) records=\(done) seconds=\(fmt(seconds)) "
                + "appends_per_s=\(Int(Double(done) / seconds)) fdatasyncs=\(syncs) records_per_fdatasync=\(fmt(Double(done) / Double(max(syncs, 1))))"
        )
    }

    static func fill(dir: String, records: Int) {
        let wake = Latch()
        var o = options(maxBatch: 1024)
        o.snapshotEveryEvents = 100_000
        let opened = try! Log.open(dir: dir, options: o, isDelivered: { _ in true }, onDurable: { wake.fire() })
        let writer = opened.writer
        // The loop's part: keep the index and hand it to the snapshot thread when due.
        var index = opened.index
        let start = cshim_monotonic_ns()
        var completed = 0
        var n = 0
        while completed < records {
            // Keep up to 4096 in flight so batches stay full without unbounded memory.
            while n < records && n - completed < 4096 {
                writer.submit(event(n, receivedAtMs: 1_795_341_600_000 + Int64(n)), ticket: UInt64(n))
                n += 1
            }
            wake.wait()
            for c in writer.takeCompletions() {
                guard case .success(let appended) = c.result else { preconditionFailure("fill failed: \(c.result)") }
                let t = Int(c.ticket)
                index.apply(event(t, receivedAtMs: 1_795_341_600_000 + Int64(t)), at: appended, frameBytes: c.frameBytes)
                completed += 1
            }
            writer.applied(index)
        }
        let seconds = Double(cshim_monotonic_ns() - start) / 1e9
        writer.shutdown { index }
        print(
            "fill records=\(records) seconds=\(fmt(seconds)) appends_per_s=\(Int(Double(records) / seconds)) fdatasyncs=\(writer.fdatasyncCount)"
        )
    }

    static func open(dir: String, useSnapshot: Bool, verify: Bool) {
        if !useSnapshot {
            let logDir = Log.logDirectory(dir)
            for name in (try? FileSystem.list(logDir)) ?? [] where name.hasSuffix(".snap") {
                // Move snapshots aside (restored by the script) so recovery replays everything.
                try! FileSystem.rename(logDir + "/" + name, to: logDir + "/" + name + ".off")
            }
        }
        let rssBefore = rssKiB("VmRSS")
        let start = cshim_monotonic_ns()
        var o = options(maxBatch: 1024)
        o.snapshotEveryEvents = 0  // do not write a new snapshot while measuring
        o.coveredCheck = verify ? .beforeOpen : .never
        let opened = try! Log.open(dir: dir, options: o, isDelivered: { _ in true }, onDurable: {})
        let seconds = Double(cshim_monotonic_ns() - start) / 1e9
        let r = opened.report
        print(
            "open snapshot=\(useSnapshot ? "yes" : "no") verify_covered=\(verify && useSnapshot ? "yes" : "no") seconds=\(fmt(seconds)) records_replayed=\(r.recordsReplayed) "
                + "next_seq=\(r.nextSeq) payments=\(opened.index.paymentCount) dedup=\(opened.index.dedupCount) "
                + "rss_before_kib=\(rssBefore) rss_kib=\(rssKiB("VmRSS")) peak_rss_kib=\(rssKiB("VmHWM"))")
        let events = max(1, Int(r.nextSeq) - 1)
        for part in opened.index.memoryByPart() {
            print(
                "index part=\(part.part) entries=\(part.entries) bytes=\(part.bytes) bytes_per_event=\(Bench.fmt(Double(part.bytes) / Double(events)))"
            )
        }
        exit(0)  // skip shutdown: it would write a final snapshot
    }

    static func rssKiB(_ key: String) -> Int {
        guard let f = try? File.open("/proc/self/status", flags: O_RDONLY) else { return -1 }
        defer { f.close() }
        let text = String(decoding: (try? f.read(count: 8192, at: 0)) ?? [], as: UTF8.self)
        for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
            return Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1
        }
        return -1
    }

    static func fmt(_ x: Double) -> String {
        let scaled = Int((x * 1000).rounded())
        return "\(scaled / 1000).\(String(repeating: "0", count: 3 - String(scaled % 1000).count))\(scaled % 1000)"
    }
}
