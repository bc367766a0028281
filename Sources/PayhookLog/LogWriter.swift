import PayhookCore
import PayhookPosix
import Synchronization

/// The log's writer thread: group commit of submitted records.
///
/// The event loop calls `submit` (never blocks on disk: it takes a lock that the writer only
/// holds to swap queues) and, after `onDurable` woke it, `takeCompletions`. The writer takes
/// everything queued (up to `maxBatchRecords`), assigns seqs in order, appends the batch with
/// one `pwrite` per segment touched, calls `fdatasync` once, then publishes completions.
/// Under load batches form by themselves; at idle every record gets its own fdatasync.
public final class LogWriter: @unchecked Sendable {
    public enum State: Equatable, Sendable {
        case running
        /// fdatasync (or a directory fsync) failed: nothing more is accepted.
        case failed(SyscallError)
        case stopped
    }

    struct Pending {
        var ticket: UInt64
        var payload: LogPayload
    }

    // Guarded by `lock`.
    let lock = ConditionLock()
    var queue: [Pending] = []
    var completions: [LogCompletion] = []
    var stateValue: State = .running
    var stopping = false
    var shutDown = false

    // Writer thread only (and `init` before the thread starts).
    let logDir: String
    var active: ActiveSegment
    var nextSeq: UInt64
    var buffer: [UInt8] = []
    let options: LogOptions
    let onDurable: @Sendable () -> Void
    let snapshots: SnapshotWorker?
    /// `log/LOCK`, held (flock) while the writer lives.
    let lockFile: File?
    var thread: PosixThread?

    /// Counters for /metrics and the benchmark.
    public let batchCount = Atomic<Int>(0)
    public let recordCount = Atomic<Int>(0)
    public let fdatasyncCount = Atomic<Int>(0)
    /// Records per group-commit fdatasync, and that fdatasync's time (ns); writer thread only.
    public let batchRecords = AtomicHistogram(upperBounds: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024])
    public let fdatasyncTime = AtomicHistogram(
        upperBounds: [
            100_000, 250_000, 500_000, 1_000_000, 2_500_000, 5_000_000, 10_000_000, 25_000_000, 50_000_000, 100_000_000, 250_000_000, 1_000_000_000,
        ],
        unitScale: 1e-9)

    init(
        logDir: String, active: ActiveSegment, nextSeq: UInt64, options: LogOptions,
        snapshots: SnapshotWorker?, lockFile: File?, onDurable: @escaping @Sendable () -> Void
    ) throws(SyscallError) {
        self.lockFile = lockFile
        self.logDir = logDir
        self.active = active
        self.nextSeq = nextSeq
        self.options = options
        self.snapshots = snapshots
        self.onDurable = onDurable
        buffer.reserveCapacity(1 << 20)
        thread = try PosixThread.spawn(name: "payhookd-log") { [self] in run() }
    }

    /// Queues a record; its completion carries `ticket`. Thread-safe, never waits for disk.
    /// A record over `LogLimits`, or any record once the log failed or is shutting down,
    /// completes at once with an error (and `onDurable` is called so the loop collects it).
    public func submit(_ payload: LogPayload, ticket: UInt64) {
        var immediate: LogWriteError?
        do throws(RecordTooLarge) {
            try options.limits.check(payload)
        } catch {
            immediate = .tooLarge(error)
        }
        lock.lock()
        if immediate == nil {
            switch stateValue {
            case .failed(let e): immediate = .failed(e)
            case .stopped: immediate = .shuttingDown
            case .running: if stopping { immediate = .shuttingDown }
            }
        }
        if let immediate {
            completions.append(LogCompletion(ticket: ticket, result: .failure(immediate), frameBytes: 0))
            lock.unlock()
            onDurable()
            return
        }
        queue.append(Pending(ticket: ticket, payload: payload))
        lock.signal()
        lock.unlock()
    }

    /// Everything completed since the last call, in completion order. Thread-safe, no I/O.
    public func takeCompletions() -> [LogCompletion] {
        lock.withLock {
            defer { completions.removeAll(keepingCapacity: true) }
            return completions
        }
    }

    public var state: State { lock.withLock { stateValue } }

    /// For `/readyz`: running and not shutting down.
    public var isWritable: Bool { lock.withLock { stateValue == .running && !stopping } }

    /// Drains the queue (every queued record is written and synced, or fails), stops the thread
    /// and the snapshot worker, and joins them. Later submits fail with `.shuttingDown`.
    /// Call from one thread (the loop's); a second call does nothing.
    public func shutdown() {
        let first = lock.withLock {
            defer { shutDown = true }
            stopping = true
            lock.signal()
            return !shutDown
        }
        guard first else { return }
        thread?.join()
        thread = nil
        active.file.close()
        snapshots?.shutdown()
        lockFile?.close()
        lock.withLock { if stateValue == .running { stateValue = .stopped } }
    }

    /// The newest seq the last snapshot covers (0 before the first).
    public var snapshotSeq: UInt64 { snapshots?.snapshotSeq.load(ordering: .acquiring) ?? 0 }

    /// Segments deleted by retention hold seqs up to this one (0 when none); the loop may call
    /// `LogIndex.dropSegments(through:)` with it.
    public var retiredThroughSeq: UInt64 { snapshots?.retiredThroughSeq.load(ordering: .acquiring) ?? 0 }

    /// Snapshot or retention attempts that failed (retried at the next one); for /metrics.
    public var snapshotFailureCount: Int { snapshots?.snapshotFailures.load(ordering: .relaxed) ?? 0 }

    /// Asks the background worker to write a snapshot if records arrived since the last one and
    /// to apply retention now (the daemon calls it from a timer, e.g. hourly).
    public func requestMaintenance() { snapshots?.requestMaintenance() }

    func run() {
        while true {
            lock.lock()
            while queue.isEmpty && !stopping { lock.wait() }
            if queue.isEmpty {
                lock.unlock()
                return
            }
            let n = min(queue.count, options.maxBatchRecords)
            let batch = Array(queue.prefix(n))
            queue.removeFirst(n)
            lock.unlock()
            commit(batch)
        }
    }
}
