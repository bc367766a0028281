import CLinuxShim
import Glibc
import PayhookPosix

/// Read-only passes over `storage.dir/log` for `payhookd log verify|dump|stats` (safe while
/// the daemon runs: they take no lock and never repair). The store decodes the bodies.
public enum LogVerify {
    /// Checks every segment byte by byte (ignoring snapshots), then judges the end of the log
    /// against the durable witnesses with the judgement start-up uses (`LogJudgement`). The
    /// report names each damaged segment with its byte offset, or says why start-up would
    /// refuse, in the words start-up uses; exit code 1 in both cases (where `serve` refuses),
    /// else 0 (a bad tail that no witness proves acknowledged is reported: start-up cuts it).
    public static func verify(
        dir: String, decode: (RawRecord) throws(DecodeError) -> Void = { _ throws(DecodeError) in }
    ) -> (report: String, exitCode: Int32) {
        let logDir = LogFiles.logDirectory(dir)
        var lines: [String] = []
        var damaged = 0
        var records = 0
        let seqs: [UInt64]
        do throws(SyscallError) { seqs = try LogRecovery.segmentSeqs(logDir) } catch {
            return ("\(logDir): cannot list: \(error)", 1)
        }
        var expected: UInt64?
        var end = LogEnd(lastSeq: 0, lastSegment: nil, tail: nil)
        for (i, first) in seqs.enumerated() {
            let path = logDir + "/" + LogFormat.segmentName(firstSeq: first)
            let check = verifySegment(path: path, firstSeq: first, isLast: i == seqs.count - 1, expected: expected, decode: decode)
            records += check.records
            lines += check.problems
            if check.damaged { damaged += 1 }
            // After damage inside a segment its true length is unknown: judge the next one alone.
            expected = check.complete ? first + UInt64(check.records) : nil
            if check.tail?.kind != .incompleteHeader { end.lastSeq = first + UInt64(check.records) - 1 }
            end.lastSegment = path
            end.tail = check.tail
        }
        var refused = false
        if damaged == 0 {
            do throws(LogOpenError) {
                switch LogJudgement.judge(end, witnesses: try LogJudgement.witnesses(logDir: logDir), logDir: logDir) {
                case .accept(let note): if let note { lines.append(note) }
                case .refuse(let message):
                    lines.append(message)
                    refused = true
                }
            } catch {
                lines.append(error.description)
                refused = true
            }
        }
        let verdict =
            damaged > 0
            ? "DAMAGED (\(damaged) segment\(damaged == 1 ? "" : "s"))" : refused ? "REFUSED (start-up stops: see above)" : "ok"
        lines.append("\(logDir): \(seqs.count) segments, \(records) records: \(verdict)")
        return (lines.joined(separator: "\n"), damaged == 0 && !refused ? 0 : 1)
    }

    private struct SegmentCheck {
        var records = 0
        var problems: [String] = []
        var damaged = false
        /// Whether every record was read (the next segment's first seq can be checked).
        var complete = true
        /// The last segment's bad tail, judged by `LogJudgement`.
        var tail: LogEnd.Tail?
    }

    private static func verifySegment(
        path: String, firstSeq: UInt64, isLast: Bool, expected: UInt64?, decode: (RawRecord) throws(DecodeError) -> Void
    ) -> SegmentCheck {
        var c = SegmentCheck()
        func damage(_ offset: Int64, _ what: String) {
            c.problems.append("\(path): damaged at byte offset \(offset): \(what)")
            c.damaged = true
        }
        if let expected, expected != firstSeq { damage(12, "first seq \(firstSeq) where \(expected) was expected (missing segment?)") }
        let bytes: [UInt8]
        do throws(SyscallError) { bytes = try readAll(path) } catch {
            damage(0, "cannot read: \(error)")
            c.complete = false
            return c
        }
        do throws(DecodeError) {
            let header = try SegmentHeader.decode(bytes[...])
            if header.firstSeq != firstSeq { damage(12, "header first seq \(header.firstSeq) differs from the file name") }
        } catch {
            c.complete = false
            if isLast && bytes.count <= LogFormat.segmentHeaderBytes {
                c.tail = LogEnd.Tail(segment: path, offset: 0, bytes: Int64(bytes.count), kind: .incompleteHeader, reason: error.what)
            } else {
                damage(Int64(error.offset), error.what)
            }
            return c
        }
        var records = 0
        let end = SegmentScanner.scan(bytes, isLast: isLast, expectedSeq: firstSeq) { (r, _, _) throws(DecodeError) in
            try decode(r)
            records += 1
        }
        c.records = records
        if case .damaged(let offset, let reason) = end {
            damage(offset, reason)
            c.complete = false
        } else {
            c.tail = try? LogEnd.Tail(end, segment: path, fileBytes: Int64(bytes.count))
        }
        return c
    }

    public static func readAll(_ path: String) throws(SyscallError) -> [UInt8] {
        let file = try File.open(path, flags: O_RDONLY)
        defer { file.close() }
        return try file.read(count: Int(try file.size()), at: 0)
    }

    /// Visits every record with seq >= `from` in order; stops at a torn tail, throws on damage.
    public static func forEachRecord(
        dir: String, from: UInt64 = 1, _ visit: (RawRecord) throws(DecodeError) -> Void
    ) throws(LogOpenError) {
        let logDir = LogFiles.logDirectory(dir)
        let seqs: [UInt64]
        do throws(SyscallError) { seqs = try LogRecovery.segmentSeqs(logDir) } catch { throw .io(error) }
        for (i, first) in seqs.enumerated() {
            if i + 1 < seqs.count && seqs[i + 1] <= from { continue }
            let path = logDir + "/" + LogFormat.segmentName(firstSeq: first)
            let bytes: [UInt8]
            do throws(SyscallError) { bytes = try readAll(path) } catch { throw .io(error) }
            let isLast = i == seqs.count - 1
            if isLast && bytes.count <= LogFormat.segmentHeaderBytes { return }
            do throws(DecodeError) { _ = try SegmentHeader.decode(bytes[...]) } catch {
                throw .damaged(segment: path, offset: Int64(error.offset), reason: error.what)
            }
            let end = SegmentScanner.scan(bytes, isLast: isLast, expectedSeq: first) { (r, _, _) throws(DecodeError) in
                if r.seq >= from { try visit(r) }
            }
            if case .damaged(let offset, let reason) = end { throw .damaged(segment: path, offset: offset, reason: reason) }
        }
    }
}
