import CLinuxShim
import Glibc
import PayhookCore
import PayhookPosix
import TestSupport
import Testing

@testable import PayhookLog
@testable import PayhookStore

@Suite struct LogRecoveryTests {
    /// A closed log of `count` records with segments of `segmentBytes`.
    private func makeLog(_ count: Int, segmentBytes: Int = 1 << 20, snapshotEvery: Int = 0) throws -> TestLog {
        let log = try TestLog(options: Fixtures.options(segmentBytes: segmentBytes, snapshotEvery: snapshotEvery))
        log.append((1...count).map { Fixtures.payload($0) })
        log.close()
        return log
    }

    @Test("truncating the last record at every offset: recovery cuts it, reports it, keeps the rest, appends again")
    func tornTailEveryOffset() throws {
        let log = try makeLog(3)
        defer { log.dir.remove() }
        let path = log.segmentPaths().last!
        let full = log.dir.read(path)
        let lastOffset = Int(log.index.location(of: 3)!.offset)
        for cut in lastOffset..<full.count {
            // Record 3 stands for a write that was never acknowledged: no witness may cover it
            // (`LogWitnessTests` covers the acknowledged case).
            forgetWitnesses(log.dir)
            log.dir.write(path, Array(full.prefix(cut)))
            let again = try TestLog(dir: log.dir)
            if cut == lastOffset {
                #expect(again.opened.report.truncated == nil)
            } else {
                #expect(again.opened.report.truncated?.offset == Int64(lastOffset), "cut at \(cut)")
                #expect(again.opened.report.truncated?.bytes == Int64(cut - lastOffset))
            }
            #expect(again.index.nextSeq == 3)
            #expect(try again.opened.reader.read(seq: 2, index: again.index)?.event?.id == Fixtures.event(2).id)
            #expect(try FileSystem.size(path) == Int64(lastOffset))
            again.close()
        }
        forgetWitnesses(log.dir)
        log.dir.write(path, Array(full.prefix(lastOffset + 5)))
        let again = try TestLog(dir: log.dir)
        defer { again.close() }
        #expect(again.append([Fixtures.payload(3)]).first?.seq == 3)
    }

    @Test("a flipped byte in a non-last segment stops start-up naming the segment and the offset")
    func flipInEarlierSegment() throws {
        let log = try makeLog(12, segmentBytes: 1024)
        defer { log.dir.remove() }
        let paths = log.segmentPaths()
        #expect(paths.count >= 3)
        let victim = paths[1]
        var bytes = log.dir.read(victim)
        let firstSeq = LogFormat.firstSeq(segmentName: String(victim.split(separator: "/").last!))!
        let offset = log.index.location(of: firstSeq)!.offset
        bytes[Int(offset) + 40] ^= 0x01
        log.dir.write(victim, bytes)
        #expect(throws: LogOpenError.damaged(segment: victim, offset: offset, reason: "CRC mismatch")) {
            _ = try Log.open(dir: log.dir.path, options: Fixtures.options(segmentBytes: 1024), isDelivered: { _ in true }, onDurable: {})
        }
        let (report, code) = LogTool.verify(dir: log.dir.path)
        #expect(code == 1)
        #expect(report.contains(victim) && report.contains("offset \(offset)"))
    }

    @Test("a flipped byte in a non-last record of the last segment stops start-up with its offset")
    func flipInMiddleRecord() throws {
        let log = try makeLog(3)
        defer { log.dir.remove() }
        let path = log.segmentPaths().last!
        var bytes = log.dir.read(path)
        let offset = log.index.location(of: 2)!.offset
        bytes[Int(offset) + 20] ^= 0x80
        log.dir.write(path, bytes)
        #expect(throws: LogOpenError.damaged(segment: path, offset: offset, reason: "CRC mismatch")) {
            _ = try Log.open(dir: log.dir.path, options: Fixtures.options(), isDelivered: { _ in true }, onDurable: {})
        }
    }

    @Test("a missing middle segment is damage, not a silent gap")
    func missingSegment() throws {
        let log = try makeLog(12, segmentBytes: 1024)
        defer { log.dir.remove() }
        let paths = log.segmentPaths()
        _ = unlink(paths[1])
        do {
            _ = try Log.open(dir: log.dir.path, options: Fixtures.options(segmentBytes: 1024), isDelivered: { _ in true }, onDurable: {})
            Issue.record("opened")
        } catch {
            guard case .damaged(let segment, _, let reason) = error as LogOpenError? else {
                Issue.record("\(error)")
                return
            }
            #expect(segment == paths[2])
            #expect(reason.contains("missing segment"))
        }
    }

    @Test("a last segment whose header was never fully written is removed")
    func incompleteNewSegment() throws {
        let log = try makeLog(2)
        defer { log.dir.remove() }
        let path = Log.logDirectory(log.dir.path) + "/" + LogFormat.segmentName(firstSeq: 3)
        log.dir.write(path, Array(SegmentHeader(firstSeq: 3, createdMs: 0).encoded().prefix(10)))
        let again = try TestLog(dir: log.dir)
        defer { again.close() }
        #expect(again.opened.report.removedSegment == path)
        #expect(again.append([Fixtures.payload(3)]).first?.seq == 3)
    }

    @Test("snapshot + replay rebuilds the same indexes as a full replay, reading fewer records")
    func snapshotEqualsFullReplay() throws {
        let log = try TestLog(options: Fixtures.options(segmentBytes: 2048, snapshotEvery: 10))
        var payloads: [LogPayload] = []
        for i in 1...55 {
            let status = PaymentStatus.allCases[i % PaymentStatus.allCases.count]
            payloads.append(Fixtures.payload(i, payment: "p\(i % 7)", status: status, receivedAtMs: 1_795_341_600_000 + Int64(i)))
        }
        log.append(Array(payloads.prefix(47)))
        // Let the worker write a snapshot at 40 or later before the last records arrive.
        // A hand-over refused while the previous snapshot was being written is repeated at the
        // loop's next call (here: the wait's).
        while log.writer.snapshotSeq < 40 {
            log.writer.applied(log.index)
            usleep(1000)
        }
        log.append(Array(payloads.suffix(8)), firstTicket: 48)
        log.writer.shutdown { log.index }  // the worker writes a final snapshot at 55
        log.probe.uninstall()
        defer { log.dir.remove() }
        let logDir = Log.logDirectory(log.dir.path)
        _ = unlink(logDir + "/" + IndexSnapshot.fileName(lastSeq: 55))
        let full = try LogRecovery.recover(logDir: logDir, repair: false, useSnapshot: false)
        let fromSnapshot = try LogRecovery.recover(logDir: logDir, repair: false)
        let covered = try #require(fromSnapshot.report.snapshotSeq)
        #expect(covered >= 40 && covered < 55)
        #expect(fromSnapshot.report.recordsReplayed == 55 - Int(covered))
        #expect(full.report.recordsReplayed == 55)
        #expect(fromSnapshot.index == full.index)
        #expect(full.index == log.index)
    }

    @Test("a damaged snapshot is ignored: recovery falls back to a full replay")
    func damagedSnapshot() throws {
        let log = try makeLog(12, snapshotEvery: 5)
        defer { log.dir.remove() }
        let logDir = Log.logDirectory(log.dir.path)
        for name in try FileSystem.list(logDir) where name.hasSuffix(".snap") {
            var bytes = log.dir.read(logDir + "/" + name)
            bytes[bytes.count / 2] ^= 0xFF
            log.dir.write(logDir + "/" + name, bytes)
        }
        let r = try LogRecovery.recover(logDir: logDir, repair: false)
        #expect(r.report.snapshotSeq == nil)
        #expect(r.index == log.index)
    }
}
