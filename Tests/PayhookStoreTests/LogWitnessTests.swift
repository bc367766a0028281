import Glibc
import PayhookCore
import PayhookPosix
import TestSupport
import Testing

@testable import PayhookLog
@testable import PayhookStore

/// Finding 6: start-up never drops a seq a durable witness (snapshot, high-water mark) proves
/// acknowledged, and `log verify` gives the same verdict in the same words.
@Suite struct LogWitnessTests {
    /// A closed log of `count` records; the clean shutdown leaves a snapshot and `log/acked`
    /// at `count`.
    private func makeLog(_ count: Int, segmentBytes: Int = 1 << 20, snapshotEvery: Int = 0) throws -> TestLog {
        let log = try TestLog(options: Fixtures.options(segmentBytes: segmentBytes, snapshotEvery: snapshotEvery))
        log.append((1...count).map { Fixtures.payload($0) })
        log.close()
        return log
    }

    private func logDir(_ log: TestLog) -> String { Log.logDirectory(log.dir.path) }

    private func removeSnapshots(_ log: TestLog) throws {
        for name in try FileSystem.list(logDir(log)) where name.hasSuffix(".snap") { _ = unlink(logDir(log) + "/" + name) }
    }

    /// Runs `log verify` then start-up on `dir`; checks that they agree (verify exits 1 exactly
    /// when start-up refuses, and prints start-up's refusal or note word for word).
    /// Returns start-up's refusal, or its report.
    private func judgeBoth(_ dir: TemporaryDirectory, sourceLocation: SourceLocation = #_sourceLocation) -> (
        refusal: String?, report: RecoveryReport?, verify: String
    ) {
        let (verify, code) = LogTool.verify(dir: dir.path)  // first: start-up repairs
        do {
            let opened = try Log.open(dir: dir.path, options: Fixtures.options(), isDelivered: { _ in true }, onDurable: {})
            opened.writer.shutdown { opened.index }
            #expect(code == 0, "verify: \(verify)", sourceLocation: sourceLocation)
            if let note = opened.report.note { #expect(verify.contains(note), "verify: \(verify)", sourceLocation: sourceLocation) }
            return (nil, opened.report, verify)
        } catch {
            #expect(code == 1, "verify: \(verify)", sourceLocation: sourceLocation)
            #expect(verify.contains(error.description), "verify: \(verify)\nstart-up: \(error)", sourceLocation: sourceLocation)
            return (error.description, nil, verify)
        }
    }

    @Test("a flipped byte in the last acked record: start-up and verify refuse, naming the mark and the offset")
    func flipInLastRecord() throws {
        let log = try makeLog(3)
        defer { log.dir.remove() }
        try removeSnapshots(log)  // the high-water mark alone proves seq 3
        let path = log.segmentPaths().last!
        let offset = log.index.location(of: 3)!.offset
        var bytes = log.dir.read(path)
        bytes[Int(offset) + 20] ^= 0x01
        log.dir.write(path, bytes)
        let refusal = try #require(judgeBoth(log.dir).refusal)
        #expect(refusal.contains("log ends at seq 2 (\(path) has a damaged last record at byte offset \(offset): CRC mismatch)"))
        #expect(refusal.contains("the high-water mark \(logDir(log))/acked proves seq 3 was acknowledged"))
        #expect(try FileSystem.size(path) == Int64(bytes.count), "nothing was cut")
    }

    @Test("a bad length in the last acked record (shorter, or out of bounds): refused, not cut as torn")
    func badLengthInLastRecord() throws {
        for length: UInt32 in [40, UInt32(LogFormat.maxRecordBytes + 1), 0] {
            let log = try makeLog(3)
            defer { log.dir.remove() }
            let path = log.segmentPaths().last!
            let offset = Int(log.index.location(of: 3)!.offset)
            var bytes = log.dir.read(path)
            withUnsafeBytes(of: length.littleEndian) { for i in 0..<4 { bytes[offset + i] = $0[i] } }
            log.dir.write(path, bytes)
            let refusal = try #require(judgeBoth(log.dir).refusal, "length \(length)")
            #expect(refusal.contains("log ends at seq 2 (\(path) has a damaged last record at byte offset \(offset)"), "\(refusal)")
            #expect(refusal.contains("proves seq 3 was acknowledged"))
        }
    }

    @Test("a length that runs past the end looks torn, but the mark proves the record acked: refused")
    func tornLookingButAcked() throws {
        let log = try makeLog(4)
        defer { log.dir.remove() }
        let path = log.segmentPaths().last!
        let offset = log.index.location(of: 4)!.offset
        log.dir.write(path, Array(log.dir.read(path).dropLast(7)))
        let refusal = try #require(judgeBoth(log.dir).refusal)
        #expect(refusal.contains("log ends at seq 3 (\(path) has a torn write at byte offset \(offset))"))
        #expect(refusal.contains("acknowledged seqs 4...4 are missing"))
    }

    @Test("the last segment deleted: the newer snapshot and the mark prove the lost seqs; refused, files named")
    func lastSegmentDeleted() throws {
        let log = try makeLog(12, segmentBytes: 1024, snapshotEvery: 5)
        defer { log.dir.remove() }
        let paths = log.segmentPaths()
        #expect(paths.count >= 3)
        let lastFirst = LogFormat.firstSeq(segmentName: String(paths.last!.split(separator: "/").last!))!
        _ = unlink(paths.last!)
        let refusal = try #require(judgeBoth(log.dir).refusal)
        let snapshot = logDir(log) + "/" + IndexSnapshot.fileName(lastSeq: 12)
        #expect(refusal.contains("log ends at seq \(lastFirst - 1) (\(paths[paths.count - 2]) ends there)"), "\(refusal)")
        #expect(refusal.contains("the snapshot \(snapshot) proves seq 12 was acknowledged"))
        #expect(refusal.contains("the high-water mark \(logDir(log))/acked proves seq 12 was acknowledged"))
        #expect(refusal.contains("move aside \(snapshot), \(logDir(log))/acked"), "the newest witnesses first")
    }

    @Test("a snapshot newer than the log (segment cut at a record boundary): refused, naming the snapshot")
    func snapshotNewerThanLog() throws {
        let log = try makeLog(12, snapshotEvery: 5)
        defer { log.dir.remove() }
        _ = unlink(logDir(log) + "/acked")
        let path = log.segmentPaths().last!
        let boundary = Int(log.index.location(of: 11)!.offset)
        log.dir.write(path, Array(log.dir.read(path).prefix(boundary)))
        let refusal = try #require(judgeBoth(log.dir).refusal)
        #expect(refusal.hasPrefix("log ends at seq 10 (\(path) ends there) but the snapshot \(logDir(log))/index-00000000000000000012.snap"))
        #expect(!refusal.contains("high-water mark"))
    }

    @Test("every segment gone but the witnesses remain: refused")
    func allSegmentsGone() throws {
        let log = try makeLog(3)
        defer { log.dir.remove() }
        for p in log.segmentPaths() { _ = unlink(p) }
        let refusal = try #require(judgeBoth(log.dir).refusal)
        #expect(refusal.hasPrefix("log ends at seq 0 (there is no segment file)"))
    }

    @Test("a genuinely torn tail above the witnesses is cut; the next seq is above the high-water mark")
    func tornTailCutNoReuse() throws {
        let log = try makeLog(3)
        defer { log.dir.remove() }
        let path = log.segmentPaths().last!
        let size = log.dir.read(path).count
        var frame: [UInt8] = []
        RecordCodec.appendFrame(LogRecord(seq: 4, payload: Fixtures.payload(4)), to: &frame)
        for torn in [Array(frame.prefix(frame.count / 2)), [UInt8](repeating: 0, count: 4096)] {
            log.dir.write(path, log.dir.read(path) + torn)
            let report = try #require(judgeBoth(log.dir).report)
            #expect(
                report.note?.hasPrefix("torn tail cut in \(path) at byte offset \(size) (\(torn.count) bytes): seq 4 was never acknowledged") == true)
            #expect(report.provenSeq == 3 && report.nextSeq == 4)
            #expect(try FileSystem.size(path) == Int64(size))
        }
        let again = try TestLog(dir: log.dir)
        defer { again.close() }
        #expect(again.append([Fixtures.payload(4)]).first?.seq == 4)
    }

    @Test("a damaged-looking last record that no witness covers is cut, and the log line says why")
    func suspectTailUncovered() throws {
        let log = try makeLog(3)
        defer { log.dir.remove() }
        let path = log.segmentPaths().last!
        let size = log.dir.read(path).count
        var frame: [UInt8] = []
        RecordCodec.appendFrame(LogRecord(seq: 4, payload: Fixtures.payload(4)), to: &frame)
        frame[frame.count - 5] ^= 0x10
        log.dir.write(path, log.dir.read(path) + frame)
        let report = try #require(judgeBoth(log.dir).report)
        #expect(
            report.note
                == "damaged last record cut in \(path) at byte offset \(size) (CRC mismatch, \(frame.count) bytes): taken for a torn write, seq 4 was never acknowledged (the highest seq a witness proves acknowledged is 3)"
        )
        #expect(report.nextSeq == 4)
    }

    @Test("segments removed from the front (retention) are fine: the end of the log is what counts")
    func frontRemovedIsFine() throws {
        let log = try makeLog(12, segmentBytes: 1024, snapshotEvery: 5)
        defer { log.dir.remove() }
        _ = unlink(log.segmentPaths()[0])
        let report = try #require(judgeBoth(log.dir).report)
        #expect(report.nextSeq == 13 && report.provenSeq == 12)
    }

    @Test("a high-water mark that does not decode stops start-up and verify, naming the file")
    func damagedMark() throws {
        let log = try makeLog(2)
        defer { log.dir.remove() }
        let mark = logDir(log) + "/acked"
        var bytes = log.dir.read(mark)
        bytes[14] ^= 0xFF
        log.dir.write(mark, bytes)
        let refusal = try #require(judgeBoth(log.dir).refusal)
        #expect(refusal.hasPrefix("\(mark): CRC mismatch"))
    }

    @Test("the high-water mark follows durable batches at most once per interval and never leads the log")
    func markIsRateLimitedAndLags() throws {
        let clock = ManualClock()
        var options = Fixtures.options(clock: clock)
        options.ackedMarkIntervalMs = 1000
        let log = try TestLog(options: options)
        defer { log.dir.remove() }
        let dir = logDir(log)
        func mark() -> UInt64? { try? AckedMark.read(logDir: dir) }
        log.append([Fixtures.payload(1)])
        usleep(50_000)
        #expect(mark() == nil, "the first mark comes one interval after start-up")
        clock.advance(ms: 1000)
        log.append([Fixtures.payload(2)], firstTicket: 2)
        for _ in 0..<2000 where mark() == nil { usleep(1000) }
        // 2, or 1 when the worker took batch 1 more than 50 ms late, after the clock moved.
        let marked = try #require(mark())
        #expect(marked == 2 || marked == 1, "the first batch one interval in is marked")
        log.append((3...5).map { Fixtures.payload($0) }, firstTicket: 3)
        usleep(50_000)
        #expect(mark() == marked, "within the interval the mark waits")
        clock.advance(ms: 999)
        log.append([Fixtures.payload(6)], firstTicket: 6)
        usleep(50_000)
        #expect(mark() == marked, "999 ms is still inside a 1000 ms interval")
        clock.advance(ms: 1)
        log.append([Fixtures.payload(7)], firstTicket: 7)
        // A worker slower than the 50 ms above may have marked 6 just after the clock moved.
        for _ in 0..<2000 where (mark() ?? 0) < 6 { usleep(1000) }
        #expect((mark() ?? 0) >= 6, "at 1000 ms the next batch is marked")
        #expect((mark() ?? 0) <= log.index.lastSeq)
        log.close()
        #expect(mark() == 7, "shutdown marks the last durable seq")
    }

    @Test("the mark's format: 24 bytes, round trip, any flipped byte refused")
    func markFormat() throws {
        let bytes = AckedMark.encode(seq: 4515)
        #expect(bytes.count == 24)
        #expect(try AckedMark.decode(bytes) == 4515)
        for i in 0..<bytes.count {
            var b = bytes
            b[i] ^= 0x01
            #expect(throws: DecodeError.self) { try AckedMark.decode(b) }
        }
    }
}
