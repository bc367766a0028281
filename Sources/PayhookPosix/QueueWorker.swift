/// A thread that takes the jobs queued for it in batches: the shape of the background workers
/// (the store's snapshots and retention, admin record reads, reverify's rejects file work),
/// written once. Loop-only values cross it inside a `LoopBound`. `submit` never waits for the work;
/// `shutdown` lets the thread finish what is queued, then makes one last call with
/// `isFinal == true` (an empty batch) and joins it.
public final class QueueWorker<Job>: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = ConditionLock()
    private var queue: [Job] = []
    private var stopping = false
    private var thread: PosixThread?

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
            while queue.isEmpty && !stopping { lock.wait() }
            let jobs = queue
            queue.removeAll()
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
