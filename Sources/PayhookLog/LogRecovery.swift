import CLinuxShim
import Glibc
import PayhookPosix

/// Why the log cannot be opened or verified.
public enum LogOpenError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Damage before the tail: the segment file (full path), the byte offset, what is wrong.
    case damaged(segment: String, offset: Int64, reason: String)
    case io(SyscallError)
    /// Another process holds `log/LOCK`.
    case locked(path: String)
    case invalidOption(String)
    /// The log ends below a seq a durable witness proves acknowledged (`LogJudgement`): the
    /// message names the end, the witnesses and the way out.
    case acknowledgedMissing(String)
    /// A witness file that does not decode (see `AckedMark`).
    case damagedWitness(path: String, reason: String)

    public var description: String {
        switch self {
        case .damaged(let segment, let offset, let reason): "\(segment): damaged at byte offset \(offset): \(reason)"
        case .io(let e): "log I/O error: \(e)"
        case .locked(let path): "\(path) is locked by another process (is payhookd already running?)"
        case .invalidOption(let s): "invalid log option: \(s)"
        case .acknowledgedMissing(let s): s
        case .damagedWitness(let path, let reason): "\(path): \(reason)"
        }
    }
}

/// What recovery found and did.
public struct RecoveryReport: Sendable, Equatable {
    public var segments = 0
    /// Records read from segments (those after the snapshot, or all without one).
    public var recordsReplayed = 0
    /// The snapshot recovery started from (`nil`: full replay).
    public var snapshotSeq: UInt64?
    /// A torn tail cut off: the segment path, the offset it was cut at, bytes removed.
    public var truncated: (segment: String, offset: Int64, bytes: Int64)?
    /// A last segment whose header was never completely written, removed.
    public var removedSegment: String?
    public var nextSeq: UInt64 = 1
    /// The highest seq a durable witness proves acknowledged (0: none); `nextSeq` is above it.
    public var provenSeq: UInt64 = 0
    /// What was cut or removed and why nothing acknowledged was lost (`LogJudgement`).
    public var note: String?
    /// The segments the snapshot covers, as it mapped them (what `CoveredCheck` reads).
    public var coveredSegments: [SegmentSummary] = []

    public static func == (a: RecoveryReport, b: RecoveryReport) -> Bool {
        a.segments == b.segments && a.recordsReplayed == b.recordsReplayed && a.snapshotSeq == b.snapshotSeq
            && a.truncated?.segment == b.truncated?.segment && a.truncated?.offset == b.truncated?.offset
            && a.truncated?.bytes == b.truncated?.bytes && a.removedSegment == b.removedSegment && a.nextSeq == b.nextSeq
            && a.provenSeq == b.provenSeq && a.note == b.note
    }

    public var summary: String {
        var s = "log recovered: \(segments) segments, next seq \(nextSeq), \(recordsReplayed) records replayed"
        s += snapshotSeq.map { " after snapshot at seq \($0)" } ?? " (no snapshot)"
        s += provenSeq == 0 ? ", no witness of acknowledged seqs yet" : ", seqs up to \(provenSeq) proven acknowledged"
        if let note { s += "; \(note)" }
        return s
    }
}

/// What recovery rebuilds: the store's index, which embeds the log's `SegmentMap` and folds in
/// each record's body (the log never decodes bodies).
public protocol RecoverableIndex {
    init()
    var segmentMap: SegmentMap { get set }
    /// Folds in a record read from a segment; throws when its body does not decode (damage).
    mutating func recover(_ record: RawRecord, at appended: AppendedRecord, frameBytes: Int) throws(DecodeError)
}

/// Rebuilds an index from snapshot + segments (see the format comment in `LogFormat.swift`).
public enum LogRecovery {
    public struct Result<Index: RecoverableIndex> {
        public var index: Index
        public var report: RecoveryReport
    }

    /// Loads the newest usable snapshot (the store's format) for the segments `seqs` on disk:
    /// the index and the seq it covers, or `nil` for a full replay.
    public typealias SnapshotLoader<Index> = (_ logDir: String, _ seqs: [UInt64]) -> (Index, UInt64)?

    /// Sorted first seqs of the segment files in `logDir`.
    public static func segmentSeqs(_ logDir: String) throws(SyscallError) -> [UInt64] {
        try FileSystem.list(logDir).compactMap { LogFormat.firstSeq(segmentName: $0) }.sorted()
    }

    /// Scans the log. With `repair`, a torn tail is cut off (ftruncate + fdatasync) and a last
    /// segment with an incomplete header is removed; without, they are only reported.
    /// `useSnapshot: false` forces a full replay (and `log verify` checks every byte).
    /// `verifyCovered`: CRC-check the frames of segments the snapshot covers (read, not decoded).
    public static func recover<Index: RecoverableIndex>(
        logDir: String, repair: Bool, useSnapshot: Bool = true, verifyCovered: Bool = true, snapshot: SnapshotLoader<Index>
    ) throws(LogOpenError) -> Result<Index> {
        do {
            return try recoverOnce(logDir: logDir, repair: repair, useSnapshot: useSnapshot, snapshot: snapshot, verifyCovered: verifyCovered)
        } catch .damaged(_, _, _) where useSnapshot {
            // Judge damage from a full scan, as `log verify` does, so that both say the same
            // (damage in the last record is a question for the witnesses, not for the snapshot).
            return try recoverOnce(logDir: logDir, repair: repair, useSnapshot: false, snapshot: snapshot, verifyCovered: verifyCovered)
        }
    }

    private static func recoverOnce<Index: RecoverableIndex>(
        logDir: String, repair: Bool, useSnapshot: Bool, snapshot: SnapshotLoader<Index>, verifyCovered: Bool
    ) throws(LogOpenError) -> Result<Index> {
        var report = RecoveryReport()
        let seqs: [UInt64]
        do throws(SyscallError) { seqs = try segmentSeqs(logDir) } catch { throw .io(error) }
        var index = Index()
        var resume: (seq: UInt64, offset: Int64)?
        if useSnapshot, let (snap, covered) = snapshot(logDir, seqs) {
            index = snap
            report.snapshotSeq = covered
            if let last = snap.segmentMap.segments.last { resume = (last.firstSeq, last.endOffset) }
        } else if let first = seqs.first {
            index.segmentMap.nextSeq = first
        }
        report.segments = seqs.count
        if let resume {
            let covered = index.segmentMap.segments.filter { $0.firstSeq <= resume.seq && seqs.contains($0.firstSeq) }
            if verifyCovered { try CoveredCheck.run(logDir: logDir, segments: covered) }
            report.coveredSegments = covered
        }
        var tail: LogEnd.Tail?
        for (i, first) in seqs.enumerated() {
            var startOffset = Int64(LogFormat.segmentHeaderBytes)
            if let resume {
                if first < resume.seq { continue }
                if first == resume.seq { startOffset = resume.offset }
            }
            tail = try replay(logDir: logDir, firstSeq: first, from: startOffset, isLast: i == seqs.count - 1, index: &index, report: &report)
        }
        let end = LogEnd(
            lastSeq: index.segmentMap.lastSeq, lastSegment: seqs.last.map { logDir + "/" + LogFormat.segmentName(firstSeq: $0) }, tail: tail)
        let witnesses = try LogJudgement.witnesses(logDir: logDir)
        switch LogJudgement.judge(end, witnesses: witnesses, logDir: logDir) {
        case .refuse(let message): throw .acknowledgedMissing(message)
        case .accept(let note): report.note = note
        }
        if let tail { try cut(tail, logDir: logDir, repair: repair, report: &report) }
        report.provenSeq = LogJudgement.provenSeq(witnesses)
        report.nextSeq = index.segmentMap.nextSeq
        // The judgement above let start-up go on only with the log reaching every proven seq.
        precondition(report.nextSeq > report.provenSeq, "next seq \(report.nextSeq) at or below proven \(report.provenSeq)")
        return Result(index: index, report: report)
    }

    /// Applies an accepted cut: a torn or suspect tail is truncated, an incomplete last segment
    /// removed (with `repair`; without, only reported).
    private static func cut(_ tail: LogEnd.Tail, logDir: String, repair: Bool, report: inout RecoveryReport) throws(LogOpenError) {
        if tail.kind == .incompleteHeader {
            report.removedSegment = tail.segment
            report.segments -= 1
            if repair { try removeSegment(tail.segment, logDir: logDir) }
        } else {
            report.truncated = (tail.segment, tail.offset, tail.bytes)
            if repair { try truncate(tail.segment, to: tail.offset) }
        }
    }

    /// Replays one segment into `index`; returns the bad tail of the last segment, if any.
    private static func replay<Index: RecoverableIndex>(
        logDir: String, firstSeq: UInt64, from startOffset: Int64, isLast: Bool, index: inout Index, report: inout RecoveryReport
    ) throws(LogOpenError) -> LogEnd.Tail? {
        let path = logDir + "/" + LogFormat.segmentName(firstSeq: firstSeq)
        let bytes: [UInt8]
        do throws(SyscallError) {
            let file = try File.open(path, flags: O_RDONLY)
            defer { file.close() }
            bytes = try file.read(count: Int(try file.size()), at: 0)
        } catch {
            throw .io(error)
        }
        let header: SegmentHeader
        do throws(DecodeError) {
            header = try SegmentHeader.decode(bytes[...])
        } catch {
            if isLast && bytes.count <= LogFormat.segmentHeaderBytes {
                // A crash while the segment was being created: nothing in it was acknowledged.
                return LogEnd.Tail(segment: path, offset: 0, bytes: Int64(bytes.count), kind: .incompleteHeader, reason: error.what)
            }
            throw .damaged(segment: path, offset: Int64(error.offset), reason: error.what)
        }
        guard header.firstSeq == firstSeq else {
            throw .damaged(segment: path, offset: 12, reason: "header first seq \(header.firstSeq) differs from the file name")
        }
        let nextSeq = index.segmentMap.nextSeq
        if startOffset == Int64(LogFormat.segmentHeaderBytes) && firstSeq != nextSeq {
            throw .damaged(segment: path, offset: 12, reason: "first seq \(firstSeq) where \(nextSeq) was expected (missing segment?)")
        }
        var replayed = 0
        let end = SegmentScanner.scan(bytes, from: Int(startOffset), isLast: isLast, expectedSeq: nextSeq) {
            (record, offset, frameBytes) throws(DecodeError) in
            let appended = AppendedRecord(seq: record.seq, location: RecordLocation(segmentFirstSeq: firstSeq, offset: offset))
            try index.recover(record, at: appended, frameBytes: frameBytes)
            replayed += 1
        }
        report.recordsReplayed += replayed
        return try LogEnd.Tail(end, segment: path, fileBytes: Int64(bytes.count))
    }

    private static func truncate(_ path: String, to offset: Int64) throws(LogOpenError) {
        do throws(SyscallError) {
            let file = try File.open(path, flags: O_RDWR)
            defer { file.close() }
            try file.truncate(to: offset)
            try file.fdatasync()
        } catch {
            throw .io(error)
        }
    }

    private static func removeSegment(_ path: String, logDir: String) throws(LogOpenError) {
        do throws(SyscallError) {
            try FileSystem.unlink(path)
            try FileSystem.syncDirectory(logDir)
        } catch {
            throw .io(error)
        }
    }

    /// Fits a snapshot's segment map to the segments on disk: segments deleted by retention
    /// since the snapshot drop out of it; every other segment it knows must still exist, the
    /// last one at least as long as it was. `false`: the snapshot does not match (try an older).
    public static func fit(_ map: inout SegmentMap, logDir: String, seqs: [UInt64]) -> Bool {
        map.segments.removeAll { !seqs.contains($0.firstSeq) && $0.firstSeq < (seqs.first ?? 0) }
        guard let last = map.segments.last, map.segments.allSatisfy({ seqs.contains($0.firstSeq) }) else { return false }
        let size = (try? FileSystem.size(logDir + "/" + last.name)) ?? nil
        guard let size, size >= last.endOffset else { return false }
        return true
    }
}
