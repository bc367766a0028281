import PayhookLog
import PayhookPosix

/// Reads log records for the admin API on a thread of its own, so a consumer paging through
/// cold segments never stalls the loop (and with it every ingest acknowledgement). The loop
/// resolves seqs to locations from its index (memory only) and hands them over; the records
/// come back on the loop through its executor.
final class RecordFetcher: @unchecked Sendable {
    typealias Done = ([LogRecord], LogReadError?) -> Void

    private struct Job {
        let locations: [RecordLocation]
        /// Runs on the loop only (the worker hands it to the executor untouched).
        let done: Done
    }

    private let reader: LogReader
    private let executor: LoopExecutor
    // Guarded by `lock`.
    private let lock = ConditionLock()
    private var queue: [Job] = []
    private var stopping = false
    private var thread: PosixThread?

    init(reader: LogReader, executor: LoopExecutor) throws {
        self.reader = reader
        self.executor = executor
        thread = try PosixThread.spawn(name: "payhookd-read") { [self] in run() }
    }

    /// Reads the records at `locations` (in order; those whose segment retention deleted are
    /// skipped) and calls `done` on the loop. Loop thread; never waits for the disk.
    func fetch(_ locations: [RecordLocation], done: @escaping Done) {
        lock.withLock {
            queue.append(Job(locations: locations, done: done))
            lock.signal()
        }
    }

    /// Finishes the queued reads and stops the thread.
    func shutdown() {
        lock.withLock {
            stopping = true
            lock.signal()
        }
        thread?.join()
        thread = nil
    }

    private func run() {
        while true {
            lock.lock()
            while queue.isEmpty && !stopping { lock.wait() }
            let jobs = queue
            queue = []
            let stop = stopping && jobs.isEmpty
            lock.unlock()
            if stop { return }
            for job in jobs { read(job) }
        }
    }

    private func read(_ job: Job) {
        var records: [LogRecord] = []
        var failure: LogReadError?
        for location in job.locations {
            do throws(LogReadError) {
                if let record = try reader.read(at: location) { records.append(record) }
            } catch {
                failure = error
                break
            }
        }
        let answer = Answer(records: records, failure: failure, done: job.done)
        executor.execute { answer.deliver() }
    }

    /// What goes back to the loop; built on the worker, used only on the loop.
    private struct Answer: @unchecked Sendable {
        let records: [LogRecord]
        let failure: LogReadError?
        let done: Done
        func deliver() { done(records, failure) }
    }
}
