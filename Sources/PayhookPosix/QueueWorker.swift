/// A thread that takes the jobs queued for it in batches: the shape of the background workers
/// (the store's snapshots and retention, admin record reads, reverify's rejects file work),
/// written once. Loop-only values cross it inside a `LoopBound`. `submit` never waits for the work;
/// `shutdown` lets the thread finish what is queued, then makes one last call with
/// `isFinal == true` (an empty batch) and joins it. Work that is due later than now (a rate-limited
/// write) asks for a call with an empty batch through `wake(afterMs:)`, so it is done even when
/// nothing more is submitted.
public final class QueueWorker<Job>: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = ConditionLock()
    private var queue: [Job] = []
    private var stopping = false
    private var thread: PosixThread?
    /// When the worker asked to be called again with nothing queued (monotonic ms).
    private var wakeAtMs: Int64?

    /// Starts the thread. `process` runs on it, once per batch taken, in submission order.
    public init(name: String, process: @escaping (_ jobs: [Job], _ isFinal: Bool) -> Void) throws(SyscallError) {
        let body = UncheckedBody { [self] in run(process) }
        thread = try PosixThread.spawn(name: name) { body.run() }
    }

    /// Queues `job` and wakes the thread. Any thread.
    public func submit(_ job: Job) {
        lock.withLock {
            queue.append(job)
            lock.signal()
        }
    }

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
            queue.removeAll()
            wakeAtMs = nil
            let isFinal = stopping && jobs.isEmpty
            lock.unlock()
            process(jobs, isFinal)
            if isFinal { return }
        }
    }
}

/// The thread body holds the worker strongly until the thread ends (the worker outlives it).
private struct UncheckedBody: @unchecked Sendable {
    let run: () -> Void
}
