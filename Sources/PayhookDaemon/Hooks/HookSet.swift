import PayhookCore
import PayhookHooks
import PayhookLog
import PayhookPosix
import PayhookStore
import Synchronization

/// What retention may delete, shared with the snapshot thread: every seq below `lowSeq` is
/// delivered or parked by every hook (per their durable cursors). Made before the log opens.
final class HookProgress: Sendable {
    private let low: Atomic<UInt64>
    init(hasHooks: Bool) { low = Atomic(hasHooks ? 0 : UInt64.max) }
    func set(_ seq: UInt64) { low.store(seq, ordering: .releasing) }
    /// `Log.open`'s `isDelivered`: may a segment ending at `lastSeq` go?
    func isDelivered(_ lastSeq: UInt64) -> Bool { lastSeq < low.load(ordering: .acquiring) }
}

/// Every configured hook's driver, the cursor writer thread, and the wake-up on new events.
/// SIGHUP changes the set live (`HookSet+Reload.swift`).
final class HookSet {
    var drivers: [HookDriver] = []
    private let progress: HookProgress
    let cursorWriter: QueueWorker<CursorJob>
    let directory: String
    let store: EventStore
    let fetcher: RecordFetcher
    /// Reads the log for every hook (`HookReader.swift`).
    let reader: HookReader
    let loop: EventLoop
    let clock: any Clock
    /// `storage.retention_days`: what a hook holds back is shown (`HookSet+Retention.swift`).
    let retentionDays: Int
    /// `storage.hook_parked_max_bytes`: the decode bound of a parked file.
    let parkedMaxBytes: Int

    /// A cursor to replace, a change to append to a parked list (`ParkedList+File.swift`), or a
    /// removed hook's files to delete (`forget`, after every earlier write of them).
    struct CursorJob: Sendable {
        var path: String
        var cursor: HookCursor?
        var parked: ParkedChange?
        var forget: Forget? = nil
    }

    /// `hooks forget`: the files to delete, and the answer, run on the loop with what was deleted.
    struct Forget: @unchecked Sendable {
        // Created on the loop, carried by the writer untouched, run on the loop again.
        let paths: [String]
        let done: ([String]) -> Void
        let executor: LoopExecutor
    }

    /// The parked files the writer thread appends to, opened on first use. Writer thread only.
    private final class ParkedFiles: @unchecked Sendable {
        var byPath: [String: ParkedFile] = [:]
        let maxBytes: Int
        init(maxBytes: Int) { self.maxBytes = maxBytes }

        func append(_ changes: [ParkedChange], path: String) {
            do throws(ParkedList.FileError) {
                if byPath[path] == nil { byPath[path] = try ParkedFile(path: path, maxBytes: maxBytes) }
                try byPath[path]!.append(changes)
            } catch {
                // Not durable: the cursor still lists the event as pending, so a restart retries it.
                byPath[path] = nil
                Journal.error("hook parked list \(path): \(error)")
            }
        }
    }

    /// Reads each hook's cursor (a new hook gets one at the end of the log, or at its start with
    /// `start = "beginning"`, written now so a restart does not move it) and parked list, and
    /// starts reading. Throws on a damaged cursor or parked list, naming the file.
    init(
        hooks: [Config.Hook], storageDir: String, store: EventStore, fetcher: RecordFetcher, loop: EventLoop, clock: any Clock,
        progress: HookProgress,
        retentionDays: Int = 0, parkedMaxBytes: Int = ParkedList.defaultMaxBytes
    )
        throws
    {
        self.progress = progress
        self.store = store
        self.fetcher = fetcher
        reader = try HookReader(reader: store.reader, executor: loop.executor)
        self.loop = loop
        self.clock = clock
        self.retentionDays = retentionDays
        self.parkedMaxBytes = parkedMaxBytes
        directory = storageDir + "/hooks"
        let files = ParkedFiles(maxBytes: parkedMaxBytes)
        cursorWriter = try QueueWorker(name: "payhookd-cursor") { jobs, _ in Self.write(jobs, files: files) }
        do {
            for hook in hooks { drivers.append(try makeDriver(hook)) }
        } catch {
            // A damaged cursor or parked list stops the start: the threads and drivers begun
            // so far would otherwise outlive it (a `QueueWorker` runs until `shutdown`).
            for d in drivers { _ = d.stop() }
            drivers = []
            reader.shutdown()
            cursorWriter.shutdown()
            throw error
        }
        updateProgress()
        _ = store.observe { [unowned self] in
            for d in drivers { d.pump() }
        }
        for d in drivers { d.pump() }
    }

    /// On the writer thread. Parked changes first, all of them in order: a cursor that counts a
    /// parked event done must not be durable before the list that names it. Of cursors only the
    /// newest counts. Forgotten files last, after every earlier write of them.
    private static func write(_ jobs: [CursorJob], files: ParkedFiles) {
        var changes: [String: [ParkedChange]] = [:]
        var order: [String] = []
        var newest: [String: HookCursor] = [:]
        for job in jobs {
            if let change = job.parked {
                if changes[job.path] == nil { order.append(job.path) }
                changes[job.path, default: []].append(change)
            }
            if let cursor = job.cursor { newest[job.path] = cursor }
        }
        for path in order { files.append(changes[path]!, path: path) }
        for (path, cursor) in newest {
            do throws(HookCursor.FileError) { try cursor.write(path: path) } catch { Journal.error("hook cursor \(path): \(error)") }
        }
        for forget in jobs.compactMap(\.forget) {
            var removed: [String] = []
            for path in forget.paths {
                files.byPath[path] = nil
                if (try? FileSystem.unlink(path)) != nil { removed.append(path) }
            }
            let done = forget
            let result = removed
            done.executor.execute { done.done(result) }
        }
    }

    /// A driver for `hook` from its cursor file (created at the end of the log, or its start,
    /// when there is none) and its parked file.
    func makeDriver(_ hook: Config.Hook, cursor known: HookCursor? = nil, parked knownParked: ParkedList? = nil) throws -> HookDriver {
        try FileSystem.makeDirectories(directory)
        let path = HookCursor.path(directory: directory, hook: hook.name)
        var cursor = try known ?? HookCursor.read(path: path)
        if cursor == nil {
            let start = HookCursor(scanSeq: hook.startAtBeginning ? 1 : store.index.lastSeq + 1)
            try start.write(path: path)
            cursor = start
            Journal.info("hook \(hook.name): new, starting at seq \(start.scanSeq)")
        }
        let parkedPath = ParkedList.path(directory: directory, hook: hook.name)
        let parked = try knownParked ?? ParkedList.read(path: parkedPath, maxBytes: parkedMaxBytes)
        let writer = cursorWriter
        let driver = HookDriver(
            hook: hook, cursor: cursor!, loop: loop, store: store, fetcher: fetcher, reader: reader, clock: clock, cursorPath: path, parked: parked,
            persist: { path, cursor in writer.submit(CursorJob(path: path, cursor: cursor, parked: nil)) },
            persistParked: { change in writer.submit(CursorJob(path: parkedPath, cursor: nil, parked: change)) })
        driver.onPersisted = { [unowned self] in updateProgress() }
        return driver
    }

    func updateProgress() {
        progress.set(drivers.map(\.durableLowSeq).min() ?? UInt64.max)
    }

    /// Stops every driver and writes each final cursor; then stops the writer thread.
    func shutdown() {
        let finals = drivers.map { ($0.cursorPath, $0.stop()) }
        reader.shutdown()
        cursorWriter.shutdown()
        // The writer wrote every parked list it was handed before it stopped.
        for (path, cursor) in finals {
            do throws(HookCursor.FileError) { try cursor.write(path: path) } catch { Journal.error("hook cursor \(path): \(error)") }
        }
    }

    func driver(_ name: String) -> HookDriver? { drivers.first { $0.name == name } }

    /// The newest durable seq (the bound of a replay).
    var lastSeq: UInt64 { store.index.lastSeq }
}
