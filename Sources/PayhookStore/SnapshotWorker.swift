import CLinuxShim
import Glibc
import PayhookLog
import PayhookPosix
import Synchronization

/// A background thread that writes the snapshots the loop hands it, rewrites the high-water mark
/// `log/acked` at most every `ackedMarkIntervalMs`, applies retention and decides dedup expiry.
/// It keeps no index: only what those need, the seq -> location map of the writer's durable
/// records (retention's input and the mark, 4 bytes a record) and the retired segments
/// (expiry's input). A snapshot is written from a copy of the loop's index
/// (`LogWriter.applied`, every `snapshotEveryEvents` records; maintenance; shutdown): O(1),
/// since the index's tables share their shards copy-on-write, and the copy releases each shard
/// once it is written (`IndexSnapshot.stream`). Neither the loop nor the writer waits for it.
final class SnapshotWorker: @unchecked Sendable {
    typealias Durable = [Committed<LogPayload>]

    private enum Job {
        case durable(Durable)
        /// A copy of the loop's index waits in `handed`.
        case snapshot
        case maintenance
    }

    private var worker: QueueWorker<Job>?
    /// The index the loop handed and the thread has not taken yet. Kept here rather than in the
    /// job: `QueueWorker` holds a batch's jobs until `process` returns, which would keep every
    /// shard of the copy alive while it is written (and make the loop's writes copy them).
    private let handed = Mutex<LogIndex?>(nil)
    /// A handed index not yet written: the loop hands no other meanwhile (`hand`).
    let snapshotInFlight = Atomic<Bool>(false)

    // Worker thread only.
    /// The writer's durable records (`enqueue`), as far as retention and the mark need them.
    private var segmentMap: SegmentMap
    /// Segments retention deleted whose dedup entries have not expired (the loop's index holds
    /// the same list until its expiry pass completes).
    private var retired: [RetiredSegment]
    private let logDir: String
    private let options: LogOptions
    private let isDelivered: @Sendable (UInt64) -> Bool
    /// Wakes the loop (the writer's `onDurable`) when retention or expiry moved, so it follows
    /// without waiting for the next record.
    private let wakeLoop: @Sendable () -> Void
    /// The seq `log/acked` holds (as far as this run knows) and when it was written (monotonic
    /// ms; start-up counts as a write, so the first mark comes one interval in).
    private var markedSeq: UInt64 = 0
    private var markedAtMs: Int64

    let snapshotSeq = Atomic<UInt64>(0)
    let retiredThroughSeq = Atomic<UInt64>(0)
    let expiredThroughSeq = Atomic<UInt64>(0)
    let snapshotFailures = Atomic<Int>(0)
    /// Heap bytes this thread keeps between jobs (its segment map and retired list: O(records
    /// in the log's segments), 4 bytes a record; no index), refreshed after each batch.
    let keptBytes = Atomic<Int>(0)

    init(
        index: LogIndex, snapshotSeq: UInt64, logDir: String, options: LogOptions, isDelivered: @escaping @Sendable (UInt64) -> Bool,
        wakeLoop: @escaping @Sendable () -> Void = {}
    ) throws(SyscallError) {
        segmentMap = index.segmentMap
        retired = index.retired
        self.logDir = logDir
        self.options = options
        self.isDelivered = isDelivered
        self.wakeLoop = wakeLoop
        self.snapshotSeq.store(snapshotSeq, ordering: .releasing)
        markedAtMs = options.clock.monotonicMs()
        worker = try QueueWorker(name: "payhookd-snap") { [self] jobs, isFinal in process(jobs, isFinal: isFinal) }
    }

    func enqueue(_ items: Durable) {
        if items.isEmpty { return }
        worker?.submit(.durable(items))
    }

    func requestMaintenance() { worker?.submit(.maintenance) }

    var snapshotEveryEvents: Int { options.snapshotEveryEvents }

    /// Hands a copy of the loop's index over for a snapshot. Loop thread. Refused (false) while
    /// the previous one is not written yet, unless `force` (shutdown), which replaces a copy
    /// not yet taken.
    @discardableResult
    func hand(_ index: LogIndex, force: Bool = false) -> Bool {
        guard let worker else { return false }
        if force {
            snapshotInFlight.store(true, ordering: .releasing)
        } else {
            guard snapshotInFlight.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
                return false
            }
        }
        handed.withLock { $0 = index }
        worker.submit(.snapshot)
        return true
    }

    /// Writes `finalIndex` when it is newer than the last snapshot (a faster next start), does
    /// what is queued, a last maintenance, and joins the thread.
    func shutdown(finalIndex: LogIndex?) {
        if let finalIndex, finalIndex.lastSeq > snapshotSeq.load(ordering: .acquiring) { hand(finalIndex, force: true) }
        worker?.shutdown()
        worker = nil
    }

    private func process(_ jobs: [Job], isFinal: Bool) {
        var maintain = isFinal
        var snapshot = false
        for job in jobs {
            switch job {
            case .durable(let batch):
                for c in batch { segmentMap.append(c.appended, frameBytes: c.frameBytes, receivedAtMs: c.entry.receivedAtMs) }
            case .snapshot:
                snapshot = true
            case .maintenance:
                maintain = true
            }
        }
        if snapshot { writeHanded() }
        if snapshot || maintain {
            applyRetention()
            applyExpiry()
        }
        markIfDue(isFinal: isFinal)
        keptBytes.store(heldBytes(), ordering: .relaxed)
    }

    private func heldBytes() -> Int {
        var bytes = HeapCost.array(capacity: segmentMap.segments.capacity, stride: MemoryLayout<SegmentSummary>.stride)
        for s in segmentMap.segments { bytes += HeapCost.array(capacity: s.offsets.capacity, stride: 4) }
        return bytes + HeapCost.array(capacity: retired.capacity, stride: MemoryLayout<RetiredSegment>.stride)
    }

    /// Every record the map holds came from a batch whose fdatasync returned (or from
    /// recovery, which syncs the segment it appends to), so its last seq may be marked: the mark
    /// lags the log's tail, never leads it. Rate-limited, so the cost is one small file write
    /// with two syncs per interval on this thread, none on the writer's.
    private func markIfDue(isFinal: Bool) {
        guard segmentMap.lastSeq > markedSeq else { return }
        let nowMs = options.clock.monotonicMs()
        let dueInMs = markedAtMs + Int64(options.ackedMarkIntervalMs) - nowMs
        if !isFinal && dueInMs > 0 {
            // Not now, but not at the next batch either: an idle log still gets its mark.
            worker?.wake(afterMs: dueInMs)
            return
        }
        do throws(SyscallError) {
            try AckedMark.write(seq: segmentMap.lastSeq, logDir: logDir)
            markedSeq = segmentMap.lastSeq
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

    /// Writes the handed copy, then lets the loop hand the next one.
    private func writeHanded() {
        writeTaken()
        snapshotInFlight.store(false, ordering: .releasing)
    }

    /// Takes the handed copy out of `handed`, so that this function's `index` is its only
    /// holder on this thread (released shard by shard as it streams, and gone on return).
    private func writeTaken() {
        guard
            var index = handed.withLock({ slot in
                let index = slot
                slot = nil
                return index
            })
        else { return }
        let seq = index.lastSeq
        guard seq > snapshotSeq.load(ordering: .acquiring) else { return }
        do throws(SyscallError) {
            try IndexSnapshot.write(consuming: &index, logDir: logDir)
            snapshotSeq.store(seq, ordering: .releasing)
        } catch {
            failed("writing the index snapshot at seq \(seq)", error)
        }
    }

    private func applyRetention() {
        let nowMs = options.clock.nowUnixMs()
        let doomed = LogRetention.eligible(
            segments: segmentMap.segments, nowMs: nowMs, retentionDays: options.retentionDays,
            snapshotSeq: snapshotSeq.load(ordering: .acquiring), isDelivered: isDelivered)
        guard let last = doomed.last else { return }
        do throws(SyscallError) {
            for s in doomed { try FileSystem.unlink(logDir + "/" + s.name) }
            try FileSystem.syncDirectory(logDir)
        } catch {
            failed("retention (deleting \(doomed.count) segments)", error)
            return
        }
        for s in doomed { retired.append(RetiredSegment(lastSeq: s.lastSeq, newestMs: s.newestMs)) }
        segmentMap.dropSegments(through: last.lastSeq)
        retiredThroughSeq.store(last.lastSeq, ordering: .releasing)
        wakeLoop()
    }

    /// Bounded dedup: `dedupExtraDays` after retention took a segment, its dedup entries and
    /// the payments it ended go. This thread decides; the loop's index follows through
    /// `expiredThroughSeq`, shard by shard over several turns (`LogIndex.expire(_:shards:)`).
    /// Snapshots written meanwhile still hold the retired segments, so a restart expires their
    /// entries again at start-up (`Log.open`).
    private func applyExpiry() {
        let nowMs = options.clock.nowUnixMs()
        guard
            let through = RetiredSegment.expiryDue(
                retired, nowMs: nowMs, retentionDays: options.retentionDays, extraDays: options.dedupExtraDays)
        else { return }
        retired.removeAll { $0.lastSeq <= through }
        expiredThroughSeq.store(through, ordering: .releasing)
        wakeLoop()
    }
}
