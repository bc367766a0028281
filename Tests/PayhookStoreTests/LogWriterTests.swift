import CLinuxShim
import Glibc
import PayhookCore
import PayhookPosix
import TestSupport
import Testing

@testable import PayhookLog
@testable import PayhookStore

@Suite struct LogWriterTests {
    @Test("records round-trip across segment boundaries, before and after a reopen")
    func roundTripAcrossSegments() throws {
        let log = try TestLog(options: Fixtures.options(segmentBytes: 2048))
        let payloads = (1...40).map { Fixtures.payload($0) }
        let done = log.append(payloads)
        #expect(done.map(\.seq) == (1...40).map { UInt64($0) })
        #expect(log.segmentPaths().count > 5)
        for (i, p) in payloads.enumerated() {
            let r = try #require(try log.opened.reader.read(seq: UInt64(i + 1), index: log.index))
            guard case .event(let req, let e) = r.payload, case .event(let wantReq, var want) = p else {
                Issue.record("type")
                continue
            }
            want.seq = UInt64(i + 1)
            #expect(req == wantReq && e == want)
        }
        log.close()
        let again = try TestLog(dir: log.dir, options: Fixtures.options(segmentBytes: 2048))
        defer {
            again.close()
            again.dir.remove()
        }
        #expect(again.index == log.index)
        #expect(again.opened.report.nextSeq == 41)
        #expect(try again.opened.reader.read(seq: 17, index: again.index)?.event?.id == Fixtures.event(17).id)
        #expect(again.append([Fixtures.payload(41)]).first?.seq == 41)
    }

    @Test("at idle each record gets its own fdatasync")
    func idleOneSyncPerRecord() throws {
        let log = try TestLog()
        defer {
            log.close()
            log.dir.remove()
        }
        let before = log.probe.count(of: .fdatasync)
        log.append((1...5).map { Fixtures.payload($0) })
        #expect(log.probe.count(of: .fdatasync) - before == 5)
        #expect(log.writer.fdatasyncCount == 5)
    }

    @Test("many submits from a thread are group committed: fewer fdatasyncs than records")
    func groupCommit() throws {
        let log = try TestLog()
        defer {
            log.close()
            log.dir.remove()
        }
        let before = log.probe.count(of: .fdatasync)
        let count = 2000
        var payloads: [UInt64: LogPayload] = [:]
        for i in 1...count { payloads[UInt64(i)] = Fixtures.payload(i) }
        let writer = log.writer
        let submitter = try PosixThread.spawn(name: "submitter") {
            for i in 1...count { writer.submit(Fixtures.payload(i), ticket: UInt64(i)) }
        }
        let done = log.wait(for: count, payloads: payloads)
        submitter.join()
        #expect(done.allSatisfy { $0.seq != nil })
        #expect(Set(done.compactMap(\.seq)).count == count)
        let syncs = log.probe.count(of: .fdatasync) - before
        #expect(syncs < count)
        #expect(syncs >= 1)
        #expect(log.writer.batchCount == syncs)
    }

    @Test("submit is refused at once, without I/O, for a record over the limits")
    func tooLargeRefused() throws {
        var limits = LogLimits()
        limits.maxBodyBytes = 10
        let log = try TestLog(limits: limits)
        defer {
            log.close()
            log.dir.remove()
        }
        let writesBefore = log.probe.count(of: .write)
        log.writer.submit(Fixtures.payload(1), ticket: 9)
        let c = log.wait(for: 1)
        #expect(c.first?.ticket == 9)
        guard case .failure(.tooLarge(let e)) = c.first?.result else {
            Issue.record("\(c)")
            return
        }
        #expect(e.field == "body bytes")
        #expect(log.probe.count(of: .write) == writesBefore)
    }

    @Test("shutdown drains queued records; later submits fail with shuttingDown")
    func shutdownDrains() throws {
        let log = try TestLog()
        defer {
            log.probe.uninstall()
            log.dir.remove()
        }
        for i in 1...50 { log.writer.submit(Fixtures.payload(i), ticket: UInt64(i)) }
        log.writer.shutdown { nil }
        let done = log.writer.takeCompletions()
        #expect(done.count == 50)
        #expect(done.allSatisfy { $0.seq != nil })
        #expect(!log.writer.isWritable)
        log.writer.submit(Fixtures.payload(51), ticket: 51)
        #expect(log.writer.takeCompletions().first?.result == .failure(.shuttingDown))
    }

    @Test("a second open of the same log is refused by the lock once lockWaitMs has passed")
    func lockRefusesSecondOpen() throws {
        let log = try TestLog()
        defer {
            log.close()
            log.dir.remove()
        }
        var o = Fixtures.options()
        o.lockWaitMs = 50
        let start = SystemClock().monotonicMs()
        #expect(throws: LogOpenError.locked(path: Log.logDirectory(log.dir.path) + "/LOCK")) {
            _ = try Log.open(dir: log.dir.path, options: o, isDelivered: { _ in true }, onDurable: {})
        }
        #expect(SystemClock().monotonicMs() - start >= 50)
    }

    @Test("an open waits for the lock while the holder shuts down within lockWaitMs")
    func lockWaitsForHolder() throws {
        let log = try TestLog()
        defer { log.dir.remove() }
        log.append([Fixtures.payload(1)])
        let closer = try PosixThread.spawn(name: "closer") {
            usleep(100_000)
            log.close()
        }
        defer { closer.join() }
        let again = try TestLog(dir: log.dir)
        defer { again.close() }
        #expect(again.index.nextSeq == 2)
    }
}

@Suite struct LogWriterConcurrencyTests {
    @Test("concurrent submitters get dense, unique seqs and each record reads back as submitted")
    func concurrentSubmitters() throws {
        let log = try TestLog(options: Fixtures.options(segmentBytes: 16 * 1024))
        defer {
            log.close()
            log.dir.remove()
        }
        let threads = 8
        let each = 100
        var payloads: [UInt64: LogPayload] = [:]
        for t in 0..<(threads * each) { payloads[UInt64(t)] = Fixtures.payload(t, payment: "p\(t % 13)") }
        let writer = log.writer
        let frozen = payloads
        let submitters = try (0..<threads).map { k in
            try PosixThread.spawn(name: "submitter") {
                for i in 0..<each {
                    let ticket = UInt64(i * threads + k)
                    writer.submit(frozen[ticket]!, ticket: ticket)
                }
            }
        }
        let done = log.wait(for: threads * each, payloads: payloads)
        for t in submitters { t.join() }
        #expect(Set(done.compactMap(\.seq)) == Set((1...UInt64(threads * each))))
        for c in done {
            let record = try #require(try log.opened.reader.read(seq: c.seq!, index: log.index))
            #expect(record.event?.id == payloads[c.ticket]!.event?.id)
        }
        #expect(log.index.paymentCount == 13)
    }

    @Test("a failed snapshot is counted and retried; the log keeps accepting records")
    func snapshotFailure() throws {
        let log = try TestLog(options: Fixtures.options(snapshotEvery: 5))
        defer {
            log.close()
            log.dir.remove()
        }
        log.probe.arm("rename", .io)
        log.append((1...5).map { Fixtures.payload($0) })
        while log.writer.snapshotFailureCount == 0 { usleep(1000) }
        #expect(log.writer.snapshotSeq == 0)
        log.append((6...10).map { Fixtures.payload($0) }, firstTicket: 6)
        while log.writer.snapshotSeq == 0 {
            log.writer.applied(log.index)  // as the loop does after each batch
            usleep(1000)
        }
        #expect(log.writer.snapshotSeq >= 6)  // retried at the first record after the failure
        #expect(log.writer.isWritable)
    }
}

extension LogPayload {
    var event: NormalizedEvent? { if case .event(_, let e) = self { e } else { nil } }
}
