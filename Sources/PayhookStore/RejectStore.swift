import PayhookCore
import PayhookLog
import PayhookPosix
import Synchronization

/// The rejects store under `storage.dir/rejects/` (format in `RejectEntry.swift`).
///
/// `record` is for the event loop and does O(1) work per reject: a token bucket per (source,
/// client) samples floods, and the writer's `QueueWorker`, bounded by entries and bytes (the
/// batch being written included), holds what waits for it; past either, the reject is dropped and
/// counted by cause. The writer appends to segment files (no fdatasync: a reject is evidence, not an
/// acknowledgement), keeps the on-disk total under `maxBytes` by deleting the oldest segment,
/// and writes nothing while the filesystem is under `reserveBytes` of free space.
/// `list` and `markReingested` do I/O on the caller's thread (the CLI, or a worker).
public final class RejectStore: @unchecked Sendable {
    public let directory: String
    public let options: RejectStoreOptions
    private let limits: LogLimits
    private let clock: any Clock

    // Guarded by `lock`.
    private let lock: Mutex<Counts>
    private struct Counts {
        var sampler: RejectSampler
        var stored = 0
        var dropped = Array(repeating: 0, count: RejectDropCause.allCases.count)
    }

    // Writer thread only (after init).
    private var disk: RejectSegments
    private var shutdownDeadlineMs: Int64?
    private var worker: QueueWorker<RejectEntry>?

    /// Opens (creating) `storage.dir/rejects` and starts the writer thread.
    public init(dir: String, options: RejectStoreOptions = RejectStoreOptions(), limits: LogLimits = LogLimits(), clock: any Clock = SystemClock())
        throws(SyscallError)
    {
        directory = dir + "/rejects"
        self.options = options
        self.limits = limits
        self.clock = clock
        lock = Mutex(
            Counts(sampler: RejectSampler(ratePerSecond: options.clientRatePerSecond, burst: options.clientBurst, maxKeys: options.maxClients)))
        try FileSystem.makeDirectories(directory)
        disk = try RejectSegments(directory: directory, options: options)
        let bound = QueueBound<RejectEntry>(maxEntries: options.queueEntries, maxCost: options.queueBytes) { $0.encodedBytes }
        worker = try QueueWorker(name: "payhookd-rej", bound: bound) { [self] batch, isFinal in write(batch, isFinal: isFinal) }
    }

    /// Rejects written to disk.
    public var storedCount: Int { lock.withLock { $0.stored } }
    /// Rejects not kept, for one cause.
    public func droppedCount(_ cause: RejectDropCause) -> Int { lock.withLock { $0.dropped[cause.rawValue] } }
    /// Rejects not kept, every cause.
    public var droppedTotal: Int { lock.withLock { $0.dropped.reduce(0, +) } }

    /// Queues a reject; never blocks on disk. Entries over `LogLimits` or a segment are cut to
    /// fit (headers beyond the count dropped, body cut) rather than lost, and the reason says so.
    public func record(_ entry: RejectEntry) {
        guard let e = fitted(entry) else { return count(.tooLarge) }
        let key = RejectSampler.Key(source: e.source, client: e.request.clientAddress)
        let now = clock.monotonicMs()
        guard let worker, !worker.isStopping else { return count(.shutdown) }
        guard lock.withLock({ $0.sampler.allow(key, nowMs: now) }) else { return count(.sampled) }
        if !worker.submit(e) { count(worker.isStopping ? .shutdown : .queueFull) }
    }

    private func count(_ cause: RejectDropCause, _ n: Int = 1) {
        lock.withLock { $0.dropped[cause.rawValue] += n }
    }

    private func fitted(_ entry: RejectEntry) -> RejectEntry? {
        var e = entry
        let (request, bodyCut) = limits.fitted(entry.request)
        e.request = request
        let cap = min(limits.maxFieldBytes, LogFormat.maxStringBytes)
        e.source = e.source.prefix(utf8Bytes: cap)
        e.reason = e.reason.prefix(utf8Bytes: cap)
        let note = " (body truncated)"
        var excess = e.encodedBytes + (bodyCut ? note.utf8.count : 0) - min(options.segmentBytes, options.queueBytes)
        if excess > 0 && !bodyCut { excess += note.utf8.count }
        if excess > 0 {
            guard excess <= e.request.body.count else { return nil }
            e.request.body.removeLast(excess)
        }
        if bodyCut || excess > 0 { e.reason += note }
        return e
    }

    /// Writes what is queued within `shutdownMs`, drops (and counts) the rest, stops the thread.
    public func shutdown() {
        worker?.shutdown()
        worker = nil
    }

    /// Writer thread: appends the batch in short runs, so that past the shutdown deadline what is
    /// left is dropped (and counted) instead of written.
    private func write(_ batch: [RejectEntry], isFinal: Bool) {
        if isFinal { return disk.close() }
        var next = 0
        while next < batch.count {
            if worker?.isStopping == true {
                let now = clock.monotonicMs()
                let deadline = shutdownDeadlineMs ?? now + Int64(options.shutdownMs)
                shutdownDeadlineMs = deadline
                if now >= deadline { return count(.shutdown, batch.count - next) }
            }
            let run = batch[next..<min(next + 64, batch.count)]
            next += run.count
            let (written, causes) = disk.append(run.map { $0.encoded() })
            lock.withLock {
                $0.stored += written
                for cause in causes { $0.dropped[cause.rawValue] += 1 }
            }
        }
    }
}
