import CLinuxShim
import Glibc
import PayhookCore
import PayhookPosix
import Synchronization

/// The rejects store under `storage.dir/rejects/`: one file per refused provider request,
/// bounded by `storage.rejects_max_bytes` (the oldest are dropped first).
///
/// `record` is for the event loop: it only queues; a background thread writes the file (no
/// fdatasync: a reject is evidence, not an acknowledgement) and enforces the bound.
/// `list` and `markReingested` do I/O on the caller's thread (the CLI, or a worker).
public final class RejectStore: @unchecked Sendable {
    public let directory: String
    /// Total bytes of reject files kept at most. Default 64 MiB (67,108,864).
    public let maxBytes: Int
    private let limits: LogLimits

    // Guarded by `lock`.
    private let lock = ConditionLock()
    private var queue: [RejectEntry] = []
    /// Bytes queued (as encoded), bounded by `maxBytes`.
    private var queuedBytes = 0
    private var stopping = false

    // Writer thread only (after init).
    private var files: [(id: UInt64, name: String, bytes: Int)] = []
    private var totalBytes = 0
    private var nextID: UInt64 = 1
    private var thread: PosixThread?

    /// Entries dropped: alone larger than `maxBytes`, queue full, or write failed.
    public let droppedCount = Atomic<Int>(0)
    /// Entries written.
    public let storedCount = Atomic<Int>(0)

    /// Opens (creating) `storage.dir/rejects` and starts the writer thread.
    public init(dir: String, maxBytes: Int = 67_108_864, limits: LogLimits = LogLimits()) throws(SyscallError) {
        directory = dir + "/rejects"
        self.maxBytes = maxBytes
        self.limits = limits
        try FileSystem.makeDirectories(directory)
        for name in try FileSystem.list(directory) {
            guard let (id, _) = Self.parse(name), let size = try FileSystem.size(directory + "/" + name) else { continue }
            files.append((id, name, Int(size)))
            totalBytes += Int(size)
        }
        files.sort { $0.id < $1.id }
        nextID = (files.last?.id ?? 0) + 1
        thread = try PosixThread.spawn(name: "payhookd-rej") { [self] in run() }
    }

    /// Queues a reject; never blocks on disk. Entries over `LogLimits` are truncated to fit
    /// (headers beyond the count dropped, body cut) rather than lost, and the reason says so.
    public func record(_ entry: RejectEntry) {
        var e = entry
        let (request, bodyCut) = limits.fitted(entry.request)
        e.request = request
        if bodyCut { e.reason += " (body truncated)" }
        let cap = min(limits.fieldBytesMax, LogFormat.stringBytesMax)
        e.source = e.source.prefix(utf8Bytes: cap)
        e.reason = e.reason.prefix(utf8Bytes: cap)
        let bytes = e.encodedBytes
        let dropped = lock.withLock { () -> Int in
            guard !stopping, bytes <= maxBytes else { return 1 }
            // The queue is bounded like the store, oldest dropped first: a flood faster than
            // the disk costs old entries, never unbounded memory.
            var dropped = 0
            while queuedBytes + bytes > maxBytes, let oldest = queue.first {
                queue.removeFirst()
                queuedBytes -= oldest.encodedBytes
                dropped += 1
            }
            queue.append(e)
            queuedBytes += bytes
            lock.signal()
            return dropped
        }
        if dropped > 0 { droppedCount.add(dropped, ordering: .relaxed) }
    }

    /// Writes what is queued and stops the thread.
    public func shutdown() {
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
            let work = queue
            queue.removeAll()
            queuedBytes = 0
            let stop = stopping
            lock.unlock()
            for entry in work { write(entry) }
            if stop && work.isEmpty { return }
        }
    }

    private func write(_ entry: RejectEntry) {
        let bytes = entry.encoded()
        guard bytes.count <= maxBytes else {
            droppedCount.add(1, ordering: .relaxed)
            return
        }
        while totalBytes + bytes.count > maxBytes, let oldest = files.first {
            if (try? FileSystem.unlink(directory + "/" + oldest.name)) == nil {
                try? FileSystem.unlink(directory + "/" + Self.fileName(id: oldest.id, done: true))
            }
            totalBytes -= oldest.bytes
            files.removeFirst()
        }
        let id = nextID
        nextID += 1
        let name = Self.fileName(id: id)
        do throws(SyscallError) {
            let file = try File.open(directory + "/" + name, flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o640)
            defer { file.close() }
            try file.pwriteAll(bytes, at: 0)
        } catch {
            try? FileSystem.unlink(directory + "/" + name)
            droppedCount.add(1, ordering: .relaxed)
            return
        }
        files.append((id, name, bytes.count))
        totalBytes += bytes.count
        storedCount.add(1, ordering: .relaxed)
    }

    static func fileName(id: UInt64, done: Bool = false) -> String {
        let digits = String(id)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits + (done ? ".rej.done" : ".rej")
    }

    /// (id, re-ingested) for a reject file name.
    static func parse(_ name: String) -> (UInt64, Bool)? {
        if name.hasSuffix(".rej"), let id = UInt64(name.dropLast(4)) { return (id, false) }
        if name.hasSuffix(".rej.done"), let id = UInt64(name.dropLast(9)) { return (id, true) }
        return nil
    }
}

extension RejectStore {
    /// Every stored reject, oldest first (files that do not decode, e.g. cut by a crash, are
    /// skipped). Reads files on the caller's thread. Works on a directory another process
    /// writes (the CLI while the daemon runs).
    public static func list(dir: String) throws(SyscallError) -> [RejectEntry] {
        let directory = dir + "/rejects"
        guard try FileSystem.size(directory) != nil else { return [] }
        var out: [RejectEntry] = []
        for name in try FileSystem.list(directory) {
            guard let (id, done) = parse(name) else { continue }
            guard let bytes = try? LogTool.readAll(directory + "/" + name),
                let entry = try? RejectEntry.decode(bytes, id: id, reingested: done)
            else { continue }
            out.append(entry)
        }
        return out.sorted { $0.id < $1.id }
    }

    /// Marks a reject as re-ingested (rename to `.rej.done` + fsync of the directory), so
    /// `reverify` ingests it only once. Call after its event is durable: a crash in between
    /// ingests it again, which dedup answers as a duplicate.
    public static func markReingested(dir: String, id: UInt64) throws(SyscallError) {
        let directory = dir + "/rejects"
        try FileSystem.rename(directory + "/" + fileName(id: id), to: directory + "/" + fileName(id: id, done: true))
        try FileSystem.syncDirectory(directory)
    }
}
