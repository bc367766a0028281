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
final class HookSet {
    private(set) var drivers: [HookDriver] = []
    private let progress: HookProgress
    private let cursorWriter: QueueWorker<CursorJob>
    private let directory: String
    private let store: EventStore

    /// A file to replace: a cursor, or a parked list (`ParkedList.swift`).
    private struct CursorJob: Sendable {
        let path: String
        let cursor: HookCursor?
        let parked: ParkedList?
    }

    /// Reads each hook's cursor (a new hook gets one at the end of the log, or at its start with
    /// `start = "beginning"`, written now so a restart does not move it) and parked list, and
    /// starts reading. Throws on a damaged cursor or parked list, naming the file.
    init(
        hooks: [Config.Hook], storageDir: String, store: EventStore, fetcher: RecordFetcher, loop: EventLoop, clock: any Clock, progress: HookProgress
    )
        throws
    {
        self.progress = progress
        self.store = store
        directory = storageDir + "/hooks"
        cursorWriter = try QueueWorker(name: "payhookd-cursor") { jobs, _ in
            // Only the newest file of each path matters. Parked lists first: a cursor that counts
            // a parked event done must not be durable before the list that names it.
            var newest: [String: CursorJob] = [:]
            for job in jobs { newest[job.path] = job }
            for job in newest.values where job.parked != nil {
                do throws(ParkedList.FileError) { try job.parked!.write(path: job.path) } catch {
                    Journal.error("hook parked list \(job.path): \(error)")
                }
            }
            for job in newest.values where job.cursor != nil {
                do throws(HookCursor.FileError) { try job.cursor!.write(path: job.path) } catch { Journal.error("hook cursor \(job.path): \(error)") }
            }
        }
        guard !hooks.isEmpty else { return }
        try FileSystem.makeDirectories(directory)
        let writer = cursorWriter
        for hook in hooks {
            let path = HookCursor.path(directory: directory, hook: hook.name)
            var cursor = try HookCursor.read(path: path)
            if cursor == nil {
                let start = HookCursor(scanSeq: hook.startAtBeginning ? 1 : store.index.lastSeq + 1)
                try start.write(path: path)
                cursor = start
                Journal.info("hook \(hook.name): new, starting at seq \(start.scanSeq)")
            }
            let parkedPath = ParkedList.path(directory: directory, hook: hook.name)
            let parked = try ParkedList.read(path: parkedPath)
            let driver = HookDriver(
                hook: hook, cursor: cursor!, loop: loop, store: store, fetcher: fetcher, clock: clock, cursorPath: path, parked: parked,
                persist: { path, cursor in writer.submit(CursorJob(path: path, cursor: cursor, parked: nil)) },
                persistParked: { list in writer.submit(CursorJob(path: parkedPath, cursor: nil, parked: list)) })
            driver.onPersisted = { [unowned self] in updateProgress() }
            drivers.append(driver)
        }
        updateProgress()
        _ = store.observe { [unowned self] in
            for d in drivers { d.pump() }
        }
        for d in drivers { d.pump() }
    }

    private func updateProgress() {
        progress.set(drivers.map(\.durableLowSeq).min() ?? UInt64.max)
    }

    /// Stops every driver and writes each final cursor; then stops the writer thread.
    func shutdown() {
        let finals = drivers.map { ($0.cursorPath, $0.stop()) }
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
