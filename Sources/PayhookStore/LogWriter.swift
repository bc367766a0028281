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

    /// Drains the queue, stops the writer, writes the final snapshot (still under `log/LOCK`)
    /// and joins both threads. Call from one thread (the loop's); a second call does nothing.
    public func shutdown() { segments.shutdown { snapshots.shutdown() } }

    /// The newest seq the last snapshot covers (0 before the first).
    public var snapshotSeq: UInt64 { snapshots.snapshotSeq.load(ordering: .acquiring) }

    /// Segments deleted by retention hold seqs up to this one (0 when none); the loop may call
    /// `LogIndex.dropSegments(through:)` with it.
    public var retiredThroughSeq: UInt64 { snapshots.retiredThroughSeq.load(ordering: .acquiring) }

    /// Dedup entries and payments up to this seq expired (`dedup_extra_days` past retention; 0
    /// when none); the loop calls `LogIndex.expire(through:)` with it after `dropSegments`.
    public var expiredThroughSeq: UInt64 { snapshots.expiredThroughSeq.load(ordering: .acquiring) }

    /// Snapshot, high-water mark or retention attempts that failed (retried at the next one);
    /// `payhook_snapshot_failures_total`.
    public var snapshotFailureCount: Int { snapshots.snapshotFailures.load(ordering: .relaxed) }

    /// Asks the background worker to write a snapshot if records arrived since the last one and
    /// to apply retention now (the daemon calls it from a timer, e.g. hourly).
    public func requestMaintenance() { snapshots.requestMaintenance() }

    /// Counters for /metrics and the benchmark.
    public var batchCount: Int { segments.batchCount.load(ordering: .relaxed) }
    public var recordCount: Int { segments.recordCount.load(ordering: .relaxed) }
    public var fdatasyncCount: Int { segments.fdatasyncCount.load(ordering: .relaxed) }
    /// Records per group-commit fdatasync, and the fdatasync's time (filled on the writer thread).
    public var batchRecords: AtomicHistogram { segments.batchRecords }
    public var fdatasyncTime: AtomicHistogram { segments.fdatasyncTime }
}
