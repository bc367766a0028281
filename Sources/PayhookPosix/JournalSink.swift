import PayhookCore

/// The queue and writer thread behind `Journal` (see there); an fd and a clock of its own so
/// tests drive it with a pipe.
final class JournalSink: @unchecked Sendable {
    let fd: Int32
    private let clock: any Clock

    private struct Window {
        var startMs: Int64
        var suppressed = 0
        var priority: Journal.Priority
        var summary: (before: String, after: String)
    }

    // Guarded by `lock`.
    private let lock = ConditionLock()
    private var running = false
    private var stopping = false
    private var pending: [[UInt8]] = []
    private var pendingBytes = 0
    private var maxQueueBytes = 262_144
    private var windowMs: Int64 = 10_000
    private var windows: [String: Window] = [:]
    /// Keys tracked at most; past it, repeated lines are written (and bounded by the queue).
    private let maxWindows = 1024
    private var dropped = 0
    private var droppedSinceReport = 0
    /// The writer is inside `write` (the queue may be empty while a batch is in flight).
    private var writing = false
    private var thread: PosixThread?

    init(fd: Int32, clock: any Clock = SystemClock()) {
        self.fd = fd
        self.clock = clock
    }

    var droppedTotal: Int { lock.withLock { dropped } }

    func start(queueBytes: Int, repeatWindowMs: Int) {
        lock.withLock {
            guard !running else { return }
            maxQueueBytes = queueBytes
            windowMs = Int64(repeatWindowMs)
            stopping = false
            running = true
        }
        // No thread, no queue: lines are then written directly, as before start.
        guard let t = try? PosixThread.spawn(name: "payhookd-log", { [self] in run() }) else {
            lock.withLock { running = false }
            return
        }
        t.detach()
    }

    func emit(_ line: [UInt8]) {
        let direct = lock.withLock { () -> Bool in
            guard running else { return true }
            enqueue(line)
            return false
        }
        if direct { writeAll(line) }
    }

    func repeated(_ priority: Journal.Priority, key: String, _ line: [UInt8], summary: (before: String, after: String)) {
        let now = clock.monotonicMs()
        let direct = lock.withLock { () -> Bool in
            guard running else { return true }
            if var w = windows[key], now - w.startMs < windowMs {
                w.suppressed += 1
                w.summary = summary
                windows[key] = w
                return false
            }
            if let w = windows[key], w.suppressed > 0 { enqueue(summaryLine(w)) }
            if windows[key] != nil || windows.count < maxWindows {
                windows[key] = Window(startMs: now, priority: priority, summary: summary)
            }
            enqueue(line)
            return false
        }
        if direct { writeAll(line) }
    }

    /// Caller holds `lock`.
    private func enqueue(_ line: [UInt8]) {
        guard pendingBytes + line.count <= maxQueueBytes else {
            dropped += 1
            droppedSinceReport += 1
            return
        }
        pending.append(line)
        pendingBytes += line.count
        lock.broadcast()
    }

    private func summaryLine(_ w: Window) -> [UInt8] {
        let seconds = (windowMs + 999) / 1000
        return Journal.line(w.priority, "\(w.summary.before) \(w.suppressed) more \(w.summary.after) in the last \(seconds) s")
    }

    /// Caller holds `lock`: queues the summaries of windows that ended (all of them when
    /// `all`), and forgets them. Returns ms until the next window ends.
    private func flushWindows(now: Int64, all: Bool) -> Int64 {
        var next = windowMs
        for (key, w) in windows {
            let left = w.startMs + windowMs - now
            if all || left <= 0 {
                if w.suppressed > 0 { enqueue(summaryLine(w)) }
                windows[key] = nil
            } else {
                next = min(next, left)
            }
        }
        return max(1, next)
    }

    func stop(timeoutMs: Int) {
        let deadline = clock.monotonicMs() + Int64(timeoutMs)
        lock.lock()
        guard running else { return lock.unlock() }
        _ = flushWindows(now: clock.monotonicMs(), all: true)
        stopping = true
        lock.broadcast()
        while (!pending.isEmpty || writing) && clock.monotonicMs() < deadline {
            lock.wait(timeoutMs: max(1, deadline - clock.monotonicMs()))
        }
        // What is left (a stalled reader) is given up; the writer, maybe stuck in `write`,
        // dies with the process.
        running = false
        lock.unlock()
    }

    private func run() {
        lock.lock()
        while running && !(stopping && pending.isEmpty) {
            let waitMs = flushWindows(now: clock.monotonicMs(), all: false)
            if pending.isEmpty {
                lock.wait(timeoutMs: waitMs)
                continue
            }
            var batch = pending
            pending.removeAll(keepingCapacity: true)
            pendingBytes = 0
            if droppedSinceReport > 0 {
                batch.insert(Journal.line(.warning, "\(droppedSinceReport) log lines dropped (stderr was not read fast enough)"), at: 0)
                droppedSinceReport = 0
            }
            writing = true
            lock.unlock()
            writeAll(batch.flatMap { $0 })
            lock.lock()
            writing = false
            lock.broadcast()
        }
        lock.unlock()
    }

    /// Blocking write of whole lines; a non-blocking fd that is full is retried after a pause.
    /// Errors (EPIPE: nobody will ever read) lose the lines: logging must not stop the daemon.
    private func writeAll(_ bytes: [UInt8]) {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { raw -> Int? in
                do throws(SyscallError) {
                    return try IO.write(fd, from: UnsafeRawBufferPointer(rebasing: raw[done...])) ?? 0
                } catch {
                    return nil
                }
            }
            guard let n else { return }
            if n == 0 { IO.sleep(ms: 10) }
            done += n
        }
    }
}
