import Glibc
import PayhookPosix
import TestSupport
import Testing

@testable import PayhookLog
@testable import PayhookStore

/// Start-up's check of the segments a snapshot covers, on real segment files: windows of whole
/// frames, several threads, the lowest damage reported.
@Suite struct CoveredCheckTests {
    /// Writes `segments` segment files of `perSegment` records each; their summaries as a
    /// snapshot would hold them.
    private func log(_ dir: TemporaryDirectory, segments: Int, perSegment: Int) -> [SegmentSummary] {
        var summaries: [SegmentSummary] = []
        var seq: UInt64 = 1
        for _ in 0..<segments {
            let first = seq
            var bytes = SegmentHeader(firstSeq: first, createdMs: 0).encoded()
            var offsets: [UInt32] = []
            for _ in 0..<perSegment {
                offsets.append(UInt32(bytes.count))
                var e = Fixtures.event(Int(seq))
                e.seq = seq
                RecordCodec.appendFrame(LogRecord(seq: seq, payload: .event(Fixtures.request(), e)), to: &bytes)
                seq += 1
            }
            let summary = SegmentSummary(firstSeq: first, offsets: offsets, endOffset: Int64(bytes.count), newestMs: 0)
            write(bytes, to: dir.file(summary.name))
            summaries.append(summary)
        }
        return summaries
    }

    private func write(_ bytes: [UInt8], to path: String) {
        let file = try! File.open(path, flags: O_WRONLY | O_CREAT | O_TRUNC)
        try! bytes.withUnsafeBytes { try file.pwriteAll($0, at: 0) }
        file.close()
    }

    private func flip(_ path: String, at offset: Int) {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var bytes = dir.read(path)
        bytes[offset] ^= 0x20
        write(bytes, to: path)
    }

    private func damage(_ dir: TemporaryDirectory, _ summaries: [SegmentSummary], threads: Int, window: Int) -> LogOpenError? {
        do throws(LogOpenError) {
            try CoveredCheck.run(logDir: dir.path, segments: summaries, threads: threads, window: window)
            return nil
        } catch {
            return error
        }
    }

    @Test("a clean log passes with any window (smaller than a frame, a few frames, a whole segment) and any thread count")
    func cleanPasses() {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let summaries = log(dir, segments: 5, perSegment: 7)
        for threads in [1, 2, 4] {
            for window in [1, 700, 2000, 1 << 20] {
                #expect(damage(dir, summaries, threads: threads, window: window) == nil, "threads \(threads) window \(window)")
            }
        }
    }

    @Test("a flipped byte anywhere in a covered frame is damage at that frame, whatever the window edges")
    func flipEveryByte() {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let summaries = log(dir, segments: 3, perSegment: 4)
        let target = summaries[1]
        let path = dir.file(target.name)
        let frame = Int(target.offsets[2])
        let frameEnd = Int(target.offsets[3])
        for at in frame..<frameEnd {
            flip(path, at: at)
            for window in [1, frameEnd - Int(target.offsets[1]), 1 << 20] {
                guard case .damaged(let segment, let offset, _) = damage(dir, summaries, threads: 2, window: window) else {
                    Issue.record("flip at \(at), window \(window): not damaged")
                    continue
                }
                #expect(segment == path)
                // A length that still fits ends the frame elsewhere: damage where it ends.
                #expect(offset >= Int64(frame) && offset <= Int64(frameEnd) + 4096, "flip at \(at): offset \(offset)")
            }
            flip(path, at: at)
        }
        #expect(damage(dir, summaries, threads: 2, window: 1) == nil)
    }

    @Test("damage in two segments: the lower one is reported, with 1 to 4 threads")
    func lowestDamageWins() {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let summaries = log(dir, segments: 8, perSegment: 3)
        flip(dir.file(summaries[6].name), at: Int(summaries[6].offsets[1]) + 20)
        flip(dir.file(summaries[3].name), at: Int(summaries[3].offsets[2]) + 20)
        for threads in 1...4 {
            let error = damage(dir, summaries, threads: threads, window: 4096)
            #expect(error == .damaged(segment: dir.file(summaries[3].name), offset: Int64(summaries[3].offsets[2]), reason: "CRC mismatch"))
        }
    }

    @Test("a segment shorter than the snapshot says, or frames where the snapshot has none, is damage")
    func mapDisagrees() {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var summaries = log(dir, segments: 2, perSegment: 3)
        let path = dir.file(summaries[0].name)
        let bytes = dir.read(path)
        write(Array(bytes.dropLast(5)), to: path)
        #expect(
            damage(dir, summaries, threads: 1, window: 1 << 20)
                == .damaged(
                    segment: path, offset: Int64(summaries[0].offsets[2]),
                    reason: "frame length \(bytes.count - Int(summaries[0].offsets[2]) - 8) out of bounds"))
        write(bytes, to: path)
        summaries[0].offsets[1] += 1
        guard case .damaged(let segment, let offset, _) = damage(dir, summaries, threads: 1, window: 1 << 20) else {
            Issue.record("a moved frame passed")
            return
        }
        #expect(segment == path)
        #expect(offset == Int64(summaries[0].offsets[1]) - 1)
    }
}
