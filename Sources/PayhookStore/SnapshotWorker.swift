import CLinuxShim
import Glibc
import PayhookLog
import PayhookPosix
import Synchronization

/// A background thread that keeps a shadow `LogIndex` from the writer's durable records,
/// writes snapshots every `snapshotEveryEvents` records (so start-up replays only what came
/// after the latest one), rewrites the high-water mark `log/acked` at most every
/// `ackedMarkIntervalMs`, and applies retention. Neither the loop nor the writer waits for it.
final class SnapshotWorker: @unchecked Sendable {
    typealias Durable = [Committed<LogPayload>]

    private enum Job {
        case durable(Durable)
        case maintenance
    }

    private var worker: QueueWorker<Job>?

    // Worker thread only.
    private var index: LogIndex
    private let logDir: String
    private let options: LogOptions
    private let isDelivered: @Sendable (UInt64) -> Bool
    /// The seq `log/acked` holds (as far as this run knows) and when it was written (monotonic
    /// ms; start-up counts as a write, so the first mark comes one interval in).
    private var markedSeq: UInt64 = 0
    private var markedAtMs: Int64

    let snapshotSeq = Atomic<UInt64>(0)
    let retiredThroughSeq = Atomic<UInt64>(0)
    let expiredThroughSeq = Atomic<UInt64>(0)
    let snapshotFailures = Atomic<Int>(0)

    init(index: LogIndex, snapshotSeq: UInt64, logDir: String, options: LogOptions, isDelivered: @escaping @Sendable (UInt64) -> Bool)
        throws(SyscallError)
    {
        self.index = index
        self.logDir = logDir
        self.options = options
        self.isDelivered = isDelivered
        self.snapshotSeq.store(snapshotSeq, ordering: .releasing)
        markedAtMs = options.clock.monotonicMs()
        worker = try QueueWorker(name: "payhookd-snap") { [self] jobs, isFinal in process(jobs, isFinal: isFinal) }
    }

    func enqueue(_ items: Durable) {
        if items.isEmpty { return }
        worker?.submit(.durable(items))
    }

    func requestMaintenance() { worker?.submit(.maintenance) }

    /// Applies what is queued, writes a final snapshot when records arrived since the last one
    /// (a faster next start), and joins the thread.
    func shutdown() {
        worker?.shutdown()
        worker = nil
    }

    private func process(_ jobs: [Job], isFinal: Bool) {
        var maintain = isFinal
        for job in jobs {
            switch job {
            case .durable(let batch):
                for c in batch { index.apply(c.entry, at: c.appended, frameBytes: c.frameBytes) }
            case .maintenance:
                maintain = true
            }
        }
        let covered = snapshotSeq.load(ordering: .acquiring)
        let due = options.snapshotEveryEvents > 0 && index.lastSeq >= covered + UInt64(options.snapshotEveryEvents)
        if due || (maintain && index.lastSeq > covered) { writeSnapshot() }
        if due || maintain {
            applyRetention()
            // A snapshot that still held expired entries would bring them back at a restart.
            if applyExpiry() { writeSnapshot() }
        }
        markIfDue(isFinal: isFinal)
    }

    /// Every record this index holds came from a batch whose fdatasync returned (or from
    /// recovery, which syncs the segment it appends to), so its last seq may be marked: the mark
    /// lags the log's tail, never leads it. Rate-limited, so the cost is one small file write
    /// with two syncs per interval on this thread, none on the writer's.
    private func markIfDue(isFinal: Bool) {
        guard index.lastSeq > markedSeq else { return }
        let nowMs = options.clock.monotonicMs()
        let dueInMs = markedAtMs + Int64(options.ackedMarkIntervalMs) - nowMs
        if !isFinal && dueInMs > 0 {
            // Not now, but not at the next batch either: an idle log still gets its mark.
            worker?.wake(afterMs: dueInMs)
            return
        }
        do throws(SyscallError) {
            try AckedMark.write(seq: index.lastSeq, logDir: logDir)
            markedSeq = index.lastSeq
            markedAtMs = nowMs
        } catch {
            failed("writing the high-water mark \(logDir)/\(AckedMark.fileName)", error)
            if !isFinal { worker?.wake(afterMs: Int64(options.ackedMarkIntervalMs)) }
        }
    }

    /// A failed snapshot, mark or retention pass is retried at the next one; the operator hears
    /// of it (journal, `payhook_snapshot_failures_total`), since until one succeeds start-up
    /// replays more and retention deletes nothing.
    private func failed(_ what: String, _ error: SyscallError) {
        snapshotFailures.add(1, ordering: .relaxed)
        Journal.repeated(
            .error, key: "snapshot-failure", "log maintenance: \(what) failed: \(error); retried at the next one",
            summary: ("log maintenance:", "failures, the last: \(what): \(error)"))
    }

    private func writeSnapshot() {
        do throws(SyscallError) {
            try IndexSnapshot.write(index, logDir: logDir)
            snapshotSeq.store(index.lastSeq, ordering: .releasing)
        } catch {
            failed("writing the index snapshot at seq \(index.lastSeq)", error)
        }
    }

    private func applyRetention() {
        let nowMs = options.clock.nowUnixMs()
        let doomed = LogRetention.eligible(
            segments: index.segments, nowMs: nowMs, retentionDays: options.retentionDays,
            snapshotSeq: snapshotSeq.load(ordering: .acquiring), isDelivered: isDelivered)
        guard let last = doomed.last else { return }
        do throws(SyscallError) {
            for s in doomed { try FileSystem.unlink(logDir + "/" + s.name) }
            try FileSystem.syncDirectory(logDir)
        } catch {
            failed("retention (deleting \(doomed.count) segments)", error)
            return
        }
        index.dropSegments(through: last.lastSeq)
        retiredThroughSeq.store(last.lastSeq, ordering: .releasing)
    }

    /// Bounded dedup: `dedupExtraDays` after retention took a segment, its dedup entries and
    /// the payments it ended go; the loop's index follows through `expiredThroughSeq`. The next
    /// snapshot records it (a restart before then expires them again at its first maintenance).
    private func applyExpiry() -> Bool {
        let nowMs = options.clock.nowUnixMs()
        guard let through = index.expiryDue(nowMs: nowMs, retentionDays: options.retentionDays, extraDays: options.dedupExtraDays)
        else { return false }
        index.expire(through: through)
        expiredThroughSeq.store(through, ordering: .releasing)
        return true
    }
}

extension IndexSnapshot {
    /// Writes `index` durably: temporary file, fdatasync, rename, fsync of the directory; then
    /// removes snapshots older than the previous one (one spare survives a damaged newest).
    static func write(_ index: LogIndex, logDir: String) throws(SyscallError) {
        let bytes = encode(index)
        let tmp = logDir + "/index.snap.tmp"
        let file = try File.open(tmp, flags: O_WRONLY | O_CREAT | O_TRUNC)
        do throws(SyscallError) {
            try file.pwriteAll(bytes, at: 0)
            try file.fdatasync()
        } catch {
            file.close()
            try? FileSystem.unlink(tmp)
            throw error
        }
        file.close()
        try FileSystem.rename(tmp, to: logDir + "/" + fileName(lastSeq: index.lastSeq))
        try FileSystem.syncDirectory(logDir)
        let old = try FileSystem.list(logDir).compactMap { lastSeq(fileName: $0) }.sorted().dropLast(2)
        for seq in old { try? FileSystem.unlink(logDir + "/" + fileName(lastSeq: seq)) }
    }
}
