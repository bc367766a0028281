import PayhookCore
import PayhookLog
import PayhookPosix

/// The rejects store under `storage.dir/rejects/` (format in `RejectEntry.swift`).
///
/// `record` is for the event loop and does O(1) work per reject: a token bucket per (source,
/// client) samples floods, and a fixed-capacity ring bounded by entries and bytes holds what
/// waits for the writer thread; past either, the reject is dropped and counted by cause. The
/// writer appends to segment files (no fdatasync: a reject is evidence, not an
/// acknowledgement), keeps the on-disk total under `maxBytes` by deleting the oldest segment,
/// and writes nothing while the filesystem is under `reserveBytes` of free space.
/// `list` and `markReingested` do I/O on the caller's thread (the CLI, or a worker).
public final class RejectStore: @unchecked Sendable {
    public let directory: String
    public let options: RejectStoreOptions
    private let limits: LogLimits
    private let clock: any Clock

    // Guarded by `lock`.
    private let lock = ConditionLock()
    private var ring: RejectRing
    private var sampler: RejectSampler
    private var stopping = false
    private var stored = 0
    private var dropped = Array(repeating: 0, count: RejectDropCause.allCases.count)

    // Writer thread only (after init).
    private var disk: RejectSegments
    private var thread: PosixThread?

    /// Opens (creating) `storage.dir/rejects` and starts the writer thread.
    public init(dir: String, options: RejectStoreOptions = RejectStoreOptions(), limits: LogLimits = LogLimits(), clock: any Clock = SystemClock())
        throws(SyscallError)
    {
        directory = dir + "/rejects"
        self.options = options
        self.limits = limits
        self.clock = clock
        ring = RejectRing(entries: options.queueEntries, bytes: options.queueBytes)
        sampler = RejectSampler(ratePerSecond: options.clientRatePerSecond, burst: options.clientBurst, keysMax: options.clientsMax)
        try FileSystem.makeDirectories(directory)
        disk = try RejectSegments(directory: directory, options: options)
        thread = try PosixThread.spawn(name: "payhookd-rej") { [self] in run() }
    }

    /// Rejects written to disk.
    public var storedCount: Int { lock.withLock { stored } }
    /// Rejects not kept, for one cause.
    public func droppedCount(_ cause: RejectDropCause) -> Int { lock.withLock { dropped[cause.rawValue] } }
    /// Rejects not kept, every cause.
    public var droppedTotal: Int { lock.withLock { dropped.reduce(0, +) } }

    /// Queues a reject; never blocks on disk. Entries over `LogLimits` or a segment are cut to
    /// fit (headers beyond the count dropped, body cut) rather than lost, and the reason says so.
    public func record(_ entry: RejectEntry) {
        guard let e = fitted(entry) else { return count(.tooLarge) }
        let key = RejectSampler.Key(source: e.source, client: e.request.clientAddress)
        let now = clock.monotonicMs()
        lock.withLock {
            let cause: RejectDropCause?
            if stopping {
                cause = .shutdown
            } else if !sampler.allow(key, nowMs: now) {
                cause = .sampled
            } else if !ring.push(e) {
                cause = .queueFull
            } else {
                cause = nil
                lock.signal()
            }
            if let cause { dropped[cause.rawValue] += 1 }
        }
    }

    private func count(_ cause: RejectDropCause, _ n: Int = 1) {
        lock.withLock { dropped[cause.rawValue] += n }
    }

    private func fitted(_ entry: RejectEntry) -> RejectEntry? {
        var e = entry
        let (request, bodyCut) = limits.fitted(entry.request)
        e.request = request
        let cap = min(limits.fieldBytesMax, LogFormat.stringBytesMax)
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
        lock.withLock {
            stopping = true
            lock.signal()
        }
        thread?.join()
        thread = nil
    }

    private func run() {
        var deadlineMs: Int64?
        while true {
            lock.lock()
            while ring.isEmpty && !stopping { lock.wait() }
            if stopping && deadlineMs == nil { deadlineMs = clock.monotonicMs() + Int64(options.shutdownMs) }
            if let deadlineMs, clock.monotonicMs() >= deadlineMs {
                var late = 0
                while ring.pop() != nil { late += 1 }
                dropped[RejectDropCause.shutdown.rawValue] += late
            }
            // A short batch per lock hold: the loop never waits long for the lock.
            var batch: [RejectEntry] = []
            while batch.count < 64, let e = ring.pop() { batch.append(e) }
            let stop = stopping && batch.isEmpty
            lock.unlock()
            if stop {
                disk.close()
                return
            }
            let (written, causes) = disk.append(batch.map { $0.encoded() })
            lock.withLock {
                stored += written
                for cause in causes { dropped[cause.rawValue] += 1 }
            }
        }
    }
}
