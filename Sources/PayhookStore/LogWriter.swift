import PayhookCore
import PayhookLog
import Synchronization

/// The event log's writer: PayhookLog's group-commit `SegmentWriter` over `LogPayload`, with
/// the snapshot worker it feeds. The loop calls `submit` and `takeCompletions`; see
/// `SegmentWriter` for the threading.
public final class LogWriter: Sendable {
    let segments: SegmentWriter<LogPayload>
    let snapshots: SnapshotWorker

    init(segments: SegmentWriter<LogPayload>, snapshots: SnapshotWorker) {
        self.segments = segments
        self.snapshots = snapshots
    }

    /// Queues a record; its completion carries `ticket`. Thread-safe, never waits for disk.
    /// A record over `LogLimits`, or any record once the log failed or is shutting down,
    /// completes at once with an error (and `onDurable` is called so the loop collects it).
    public func submit(_ payload: LogPayload, ticket: UInt64) { segments.submit(payload, ticket: ticket) }

    /// Everything completed since the last call, in completion order. Thread-safe, no I/O.
    public func takeCompletions() -> [LogCompletion] { segments.takeCompletions() }

    public typealias State = SegmentWriter<LogPayload>.State
    public var state: State { segments.state }

    /// For `/readyz`: running and not shutting down.
    public var isWritable: Bool { segments.isWritable }

    /// Drains the queue and stops the writer; then calls `finalIndex` (on the caller's thread,
    /// the loop's: it collects the last completions into its index and returns it, or `nil`
    /// for no final snapshot), writes the final snapshot of it when it is newer than the last
    /// one (still under `log/LOCK`), and joins both threads. Call from one thread (the loop's);
    /// a second call does nothing.
    public func shutdown(finalIndex: () -> LogIndex?) {
        segments.shutdown { snapshots.shutdown(finalIndex: finalIndex()) }
    }

    /// Call after folding completions into the loop's index: once `snapshotEveryEvents` records
    /// passed since the last snapshot and none is being written, hands the snapshot thread a
    /// copy of `index`. The copy is O(1) (the tables share their shards copy-on-write); the
    /// thread releases each shard once written, and a write on the loop meanwhile copies only
    /// the shard it touches. A failed snapshot is retried at the next call.
    public func applied(_ index: LogIndex) {
        let every = snapshots.snapshotEveryEvents
        guard every > 0, index.lastSeq >= snapshotSeq + UInt64(every) else { return }
        snapshots.hand(index)
    }

    /// The newest seq the last snapshot covers (0 before the first).
    public var snapshotSeq: UInt64 { snapshots.snapshotSeq.load(ordering: .acquiring) }

    /// Segments deleted by retention hold seqs up to this one (0 when none); the loop may call
    /// `LogIndex.dropSegments(through:)` with it.
    public var retiredThroughSeq: UInt64 { snapshots.retiredThroughSeq.load(ordering: .acquiring) }

    /// Dedup entries and payments up to this seq are due to expire (`dedup_extra_days` past
    /// retention; 0 when none); the loop runs an `ExpiryPass` to it after `dropSegments`.
    public var expiredThroughSeq: UInt64 { snapshots.expiredThroughSeq.load(ordering: .acquiring) }

    /// Snapshot, high-water mark or retention attempts that failed (retried at the next one);
    /// `payhook_snapshot_failures_total`.
    public var snapshotFailureCount: Int { snapshots.snapshotFailures.load(ordering: .relaxed) }

    /// Hands the snapshot thread a copy of `index` (the loop's) if records arrived since the last
    /// snapshot, and asks it to apply retention and expiry now (the daemon calls it from a
    /// timer, e.g. hourly).
    public func requestMaintenance(_ index: LogIndex) {
        if index.lastSeq > snapshotSeq { snapshots.hand(index) }
        snapshots.requestMaintenance()
    }

    /// Heap bytes the snapshot thread keeps between snapshots (no index: its segment map and
    /// retired list), for `log stats`-like reports and tests.
    public var snapshotThreadBytes: Int { snapshots.keptBytes.load(ordering: .relaxed) }

    /// Counters for /metrics and the benchmark.
    public var batchCount: Int { segments.batchCount.load(ordering: .relaxed) }
    public var recordCount: Int { segments.recordCount.load(ordering: .relaxed) }
    public var fdatasyncCount: Int { segments.fdatasyncCount.load(ordering: .relaxed) }
    /// Records per group-commit fdatasync, and the fdatasync's time (filled on the writer thread).
    public var batchRecords: AtomicHistogram { segments.batchRecords }
    public var fdatasyncTime: AtomicHistogram { segments.fdatasyncTime }
}
