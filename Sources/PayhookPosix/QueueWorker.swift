/// A thread that takes the jobs queued for it in batches: the shape of the background workers
/// (the store's snapshots and retention, admin record reads, reverify's rejects file work),
/// written once. Loop-only values cross it inside a `LoopBound`. `submit` never waits for the work;
/// `shutdown` lets the thread finish what is queued, then makes one last call with
/// `isFinal == true` (an empty batch) and joins it. Work that is due later than now (a rate-limited
/// write) asks for a call with an empty batch through `wake(afterMs:)`, so it is done even when
/// nothing more is submitted.
///
/// A worker fed from a flood (the rejects store) gives a `QueueBound`: `submit` then refuses a job
/// that would take the jobs queued or being processed past the bound's entries or cost, in O(1),
/// so memory is bounded and the caller counts what it dropped.
public final class QueueWorker<Job>: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = ConditionLock()
    private var queue: [Job] = []
    private var stopping = false
    private var thread: PosixThread?
    /// When the worker asked to be called again with nothing queued (monotonic ms).
    private var wakeAtMs: Int64?
    /// Entries and cost queued or in the batch being processed (bounded workers only), and the
    /// cost of the queued part alone: a batch's cost is known when it is taken, so `cost` runs
    /// once per job.
    private var held = (entries: 0, cost: 0)
    private var queuedCost = 0
    private let bound: QueueBound<Job>?

    /// Starts the thread. `process` runs on it, once per batch taken, in submission order.
    public init(name: String, bound: QueueBound<Job>? = nil, process: @escaping (_ jobs: [Job], _ isFinal: Bool) -> Void)
        throws(SyscallError)
    {
        self.bound = bound
        let body = UncheckedBody { [self] in run(process) }
        thread = try PosixThread.spawn(name: name) { body.run() }
    }

    /// Queues `job` and wakes the thread. Any thread. False (the job not queued) when it would
    /// pass the bound, or once `shutdown` has begun on a bounded worker.
    @discardableResult
    public func submit(_ job: Job) -> Bool {
        let cost = bound?.cost(job) ?? 0
        return lock.withLock {
            if let bound {
                guard !stopping, held.entries < bound.maxEntries, held.cost + cost <= bound.maxCost else { return false }
                held.entries += 1
                held.cost += cost
                queuedCost += cost
            }
            queue.append(job)
            lock.signal()
            return true
        }
    }

    /// Whether `shutdown` has begun: `process` may then stop early on a deadline of its own.
    public var isStopping: Bool { lock.withLock { stopping } }

    /// Asks for one more call of `process` (with an empty batch) `ms` from now if nothing is
    /// submitted before then. An earlier request stands; a call of `process` clears it.
    public func wake(afterMs ms: Int64) {
        let at = SystemClock().monotonicMs() + max(ms, 0)
        lock.withLock {
            if wakeAtMs.map({ at < $0 }) ?? true { wakeAtMs = at }
            lock.signal()
        }
    }

    /// Finishes the queued jobs, runs the final call, and joins the thread. Call once.
    public func shutdown() {
        lock.withLock {
            stopping = true
            lock.signal()
        }
        thread?.join()
        thread = nil
    }

    private func run(_ process: ([Job], Bool) -> Void) {
        while true {
            lock.lock()
            while queue.isEmpty && !stopping {
                guard let at = wakeAtMs else {
                    lock.wait()
                    continue
                }
                let left = at - SystemClock().monotonicMs()
                if left <= 0 { break }
                lock.wait(timeoutMs: left)
            }
            let jobs = queue
            let batchCost = queuedCost
            queue.removeAll()
            queuedCost = 0
            wakeAtMs = nil
            let isFinal = stopping && jobs.isEmpty
            lock.unlock()
            process(jobs, isFinal)
            if bound != nil, !jobs.isEmpty {
                lock.withLock {
                    held.entries -= jobs.count
                    held.cost -= batchCost
                }
            }
            if isFinal { return }
        }
    }
}

/// The most a bounded `QueueWorker` holds: `maxEntries` jobs and `maxCost` summed `cost` (bytes,
/// say), counting the batch being processed.
public struct QueueBound<Job>: @unchecked Sendable {
    public var maxEntries: Int
    public var maxCost: Int
    public var cost: (Job) -> Int
    public init(maxEntries: Int, maxCost: Int = .max, cost: @escaping (Job) -> Int = { _ in 0 }) {
        precondition(maxEntries > 0 && maxCost >= 0)
        self.maxEntries = maxEntries
        self.maxCost = maxCost
        self.cost = cost
    }
}

/// The thread body holds the worker strongly until the thread ends (the worker outlives it).
private struct UncheckedBody: @unchecked Sendable {
    let run: () -> Void
}
