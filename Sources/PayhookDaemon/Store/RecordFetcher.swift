import PayhookLog
import PayhookPosix
import PayhookStore

/// Reads log records for the admin API on a thread of its own, so a consumer paging through
/// cold segments never stalls the loop (and with it every ingest acknowledgement). The loop
/// resolves seqs to locations from its index (memory only) and hands them over; the records
/// come back on the loop through its executor.
final class RecordFetcher: Sendable {
    typealias Done = ([LogRecord], LogReadError?) -> Void

    private struct Job: Sendable {
        let locations: [RecordLocation]
        /// Runs on the loop only: the worker hands it to the executor untouched.
        let done: LoopBound<Done>
    }

    private let worker: QueueWorker<Job>

    init(reader: LogReader, executor: LoopExecutor) throws {
        worker = try QueueWorker(name: "payhookd-read") { jobs, _ in
            for job in jobs { Self.read(job, reader: reader, executor: executor) }
        }
    }

    /// Reads the records at `locations` (in order; those whose segment retention deleted are
    /// skipped) and calls `done` on the loop. Loop thread; never waits for the disk.
    func fetch(_ locations: [RecordLocation], done: @escaping Done) {
        worker.submit(Job(locations: locations, done: LoopBound(done)))
    }

    /// Finishes the queued reads and stops the thread.
    func shutdown() { worker.shutdown() }

    private static func read(_ job: Job, reader: LogReader, executor: LoopExecutor) {
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
        executor.execute(job.done) { [records, failure] done in done(records, failure) }
    }
}
