import PayhookCore
import PayhookHooks
import PayhookLog
import PayhookPosix
import PayhookStore

/// Reads log records for the hooks on a thread of its own and turns each event into what
/// delivery needs there: its summary (`HookEvent`, to filter and order it) and, when it passes
/// the hook's filter, its event JSON. The loop gets them ready to use.
///
/// Why a thread of its own and the JSON made here: a backlog drain is bound by the loop thread
/// (the ingest loop too), and encoding the event JSON was a tenth of its cost per event
/// (profiled with `perf record -g` on `scripts/bench-hooks.sh`'s drain). The admin API's reads
/// (`RecordFetcher`) no longer queue behind a hook's scan either.
final class HookReader: Sendable {
    /// One record read: `event` nil for a record that is no event (a duplicate, a park record).
    struct Item: Sendable {
        let seq: UInt64
        let event: HookEvent?
        /// The event JSON, when the event passed the filter given (nil otherwise).
        let json: [UInt8]?
        let receivedAtMs: Int64
    }
    typealias Done = ([Item], LogReadError?) -> Void

    private struct Job: Sendable {
        let locations: [RecordLocation]
        /// Whose events get their JSON made (nil: every event's).
        let filter: HookFilter?
        /// Runs on the loop only: the worker hands it to the executor untouched.
        let done: LoopBound<Done>
    }

    private let worker: QueueWorker<Job>

    init(reader: LogReader, executor: LoopExecutor) throws {
        worker = try QueueWorker(name: "payhookd-hookread") { jobs, _ in
            for job in jobs { Self.read(job, reader: reader, executor: executor) }
        }
    }

    /// Reads the records at `locations` (in order; those whose segment retention deleted are
    /// skipped) and calls `done` on the loop. Loop thread; never waits for the disk.
    func fetch(_ locations: [RecordLocation], filter: HookFilter?, done: @escaping Done) {
        worker.submit(Job(locations: locations, filter: filter, done: LoopBound(done)))
    }

    /// Finishes the queued reads and stops the thread.
    func shutdown() { worker.shutdown() }

    private static func read(_ job: Job, reader: LogReader, executor: LoopExecutor) {
        var items: [Item] = []
        items.reserveCapacity(job.locations.count)
        var failure: LogReadError?
        for location in job.locations {
            do throws(LogReadError) {
                guard let record = try reader.read(at: location) else { continue }
                items.append(item(record, filter: job.filter))
            } catch {
                failure = error
                break
            }
        }
        executor.execute(job.done) { [items, failure] done in done(items, failure) }
    }

    private static func item(_ record: LogRecord, filter: HookFilter?) -> Item {
        guard case .event(let request, let event) = record.payload else {
            return Item(seq: record.seq, event: nil, json: nil, receivedAtMs: 0)
        }
        let summary = HookEvent(event)
        let wanted = filter?.matches(summary) ?? true
        let json = wanted ? event.jsonBytes(data: request.bodyIsJSON ? request.body : nil) : nil
        return Item(seq: record.seq, event: summary, json: json, receivedAtMs: event.receivedAtMs)
    }
}
