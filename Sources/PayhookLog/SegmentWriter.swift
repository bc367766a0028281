import PayhookCore
import PayhookPosix
import Synchronization

/// A record made durable, handed to `onCommitted` on the writer thread (the store's snapshot
/// worker keeps its seq -> location map from these).
public struct Committed<Entry: LogEntry>: Sendable {
    public var entry: Entry
    public var appended: AppendedRecord
    public var frameBytes: Int
}

/// The log's writer thread: group commit of submitted entries (opaque to the log).
///
/// The store's `LogWriter` calls `submit` (on the loop) (never blocks on disk: it takes a lock that the writer only
/// holds to swap queues) and, after `onDurable` woke it, `takeCompletions`. The writer takes
/// everything queued (up to `maxBatchRecords`), assigns seqs in order, appends the batch with
/// one `pwrite` per segment touched, calls `fdatasync` once, then publishes completions.
/// Under load batches form by themselves; at idle every record gets its own fdatasync.
public final class SegmentWriter<Entry: LogEntry>: @unchecked Sendable {
    public enum State: Equatable, Sendable {
        case running
        /// fdatasync (or a directory fsync) failed: nothing more is accepted.
        case failed(SyscallError)
        case stopped
    }

    struct Pending {
        var ticket: UInt64
        var entry: Entry
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
    let admit: @Sendable (Entry) -> LogWriteError?
    let onCommitted: @Sendable ([Committed<Entry>]) -> Void
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

    /// Starts the writer thread. `admit` refuses an entry before any I/O (the store's limits);
    /// `onCommitted` gets every durable batch on the writer thread, after `onDurable`.
    public init(
        logDir: String, active: ActiveSegment, nextSeq: UInt64, options: LogOptions, lockFile: File?,
        admit: @escaping @Sendable (Entry) -> LogWriteError? = { _ in nil },
        onCommitted: @escaping @Sendable ([Committed<Entry>]) -> Void = { _ in },
        onDurable: @escaping @Sendable () -> Void
    ) throws(SyscallError) {
        self.lockFile = lockFile
        self.logDir = logDir
        self.active = active
        self.nextSeq = nextSeq
        self.options = options
        self.admit = admit
        self.onCommitted = onCommitted
        self.onDurable = onDurable
        buffer.reserveCapacity(1 << 20)
        thread = try PosixThread.spawn(name: "payhookd-log") { [self] in run() }
    }

    /// Queues a record; its completion carries `ticket`. Thread-safe, never waits for disk.
    /// A record over `LogLimits`, or any record once the log failed or is shutting down,
    /// completes at once with an error (and `onDurable` is called so the loop collects it).
    public func submit(_ entry: Entry, ticket: UInt64) {
        var immediate = admit(entry)
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
        queue.append(Pending(ticket: ticket, entry: entry))
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
    /// and joins it, runs `beforeUnlock` (the store's final snapshot, still under `log/LOCK`),
    /// then releases the lock. Later submits fail with `.shuttingDown`.
    /// Call from one thread (the loop's); a second call does nothing.
    public func shutdown(beforeUnlock: () -> Void = {}) {
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
        beforeUnlock()
        lockFile?.close()
        lock.withLock { if stateValue == .running { stateValue = .stopped } }
    }

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
