import CLinuxShim
import Glibc
import PayhookCore
import PayhookPosix

/// The log after recovery: the writer (its thread running), the loop's index and a reader.
public struct OpenedLog: Sendable {
    public let writer: LogWriter
    /// The index as recovered; from now on owned by the loop (apply each completion).
    public let index: LogIndex
    public let reader: LogReader
    public let report: RecoveryReport
}

/// The durable append-only log under `storage.dir/log/` (format in `LogFormat.swift`).
///
/// How the daemon wires it:
/// 1. Before the loop starts: `let log = try Log.open(dir:options:isDelivered:onDurable:)`
///    (`onDurable` signals an eventfd; `log.report.summary` goes to the journal). On
///    `.damaged`, print the error and exit 1.
/// 2. Ingest, on the loop: `log.index.dedup(id:)` answers duplicates; otherwise
///    `writer.submit(.event(request, event), ticket:)` and park the request under the ticket.
/// 3. When the eventfd fires: for each `writer.takeCompletions()` in order, on success
///    `index.apply(completion, payload:)` then answer 200 with `completion.seq`; on failure
///    answer 503 (`.failed` means fdatasync failed: stop accepting and exit non-zero).
/// 4. `/readyz` is `writer.isWritable`; status queries read `index.lookup`/`eventSeqs`, events
///    come from `log.reader`. A timer calls `writer.requestMaintenance()` (retention) and may
///    call `index.dropSegments(through: writer.retiredThroughSeq)`.
/// 5. SIGTERM: stop accepting, `writer.shutdown()` (drains, fsyncs, final snapshot), then
///    collect the last completions.
public enum Log {
    /// `storage.dir/log`.
    public static func logDirectory(_ dir: String) -> String { dir + "/log" }

    /// Recovers the log under `dir` (`storage.dir`) and starts the writer and snapshot threads.
    ///
    /// Takes `log/LOCK` (flock) so two daemons never share a log; cuts a torn tail that no
    /// witness proves acknowledged; throws `.damaged` naming the segment and offset for damage
    /// anywhere else, and `.acknowledgedMissing` when the log ends below a proven seq. Runs on the caller's
    /// thread, before the event loop starts.
    /// - Parameters:
    ///   - isDelivered: whether every hook has delivered every record up to the given seq
    ///     (retention deletes only such segments); called on the snapshot thread.
    ///   - onDurable: called on the writer thread after completions are published (the daemon
    ///     signals an eventfd that wakes the loop, which then calls `takeCompletions`).
    public static func open(
        dir: String, options: LogOptions = LogOptions(), isDelivered: @escaping @Sendable (UInt64) -> Bool,
        onDurable: @escaping @Sendable () -> Void
    ) throws(LogOpenError) -> OpenedLog {
        guard options.segmentBytes > LogFormat.segmentHeaderBytes, options.segmentBytes <= LogOptions.segmentBytesMax else {
            throw .invalidOption(
                "segment_bytes \(options.segmentBytes) must be in \(LogFormat.segmentHeaderBytes + 1)...\(LogOptions.segmentBytesMax)")
        }
        guard options.maxBatchRecords >= 1 else { throw .invalidOption("max_batch_records must be at least 1") }
        guard options.ackedMarkIntervalMs >= 1 else { throw .invalidOption("acked_mark_interval_ms must be at least 1") }
        let logDir = logDirectory(dir)
        let lockFile = try lock(logDir: logDir, waitMs: options.lockWaitMs)
        do throws(LogOpenError) {
            let recovered = try LogRecovery.recover(logDir: logDir, repair: true, verifyCovered: options.verifyCoveredSegments)
            let active = try openActive(logDir: logDir, index: recovered.index, options: options)
            let snapshots = try startWorker(recovered, logDir: logDir, options: options, isDelivered: isDelivered)
            let writer: LogWriter
            do throws(SyscallError) {
                writer = try LogWriter(
                    logDir: logDir, active: active, nextSeq: recovered.index.nextSeq, options: options,
                    snapshots: snapshots, lockFile: lockFile, onDurable: onDurable)
            } catch {
                throw .io(error)
            }
            return OpenedLog(writer: writer, index: recovered.index, reader: LogReader(dir: dir), report: recovered.report)
        } catch {
            lockFile.close()
            throw error
        }
    }

    /// Opens and flocks `log/LOCK`, polling every 10 ms for up to `waitMs`.
    private static func lock(logDir: String, waitMs: Int) throws(LogOpenError) -> File {
        let lockFile: File
        do throws(SyscallError) {
            try FileSystem.makeDirectories(logDir)
            lockFile = try File.open(logDir + "/LOCK", flags: O_RDWR | O_CREAT)
        } catch {
            throw .io(error)
        }
        var waitedMs = 0
        while true {
            let locked: Bool
            do throws(SyscallError) { locked = try lockFile.tryLockExclusive() } catch {
                lockFile.close()
                throw .io(error)
            }
            if locked { return lockFile }
            guard waitedMs < waitMs else {
                lockFile.close()
                throw .locked(path: logDir + "/LOCK")
            }
            usleep(10_000)
            waitedMs += 10
        }
    }

    private static func startWorker(
        _ recovered: LogRecovery.Result, logDir: String, options: LogOptions, isDelivered: @escaping @Sendable (UInt64) -> Bool
    ) throws(LogOpenError) -> SnapshotWorker {
        do throws(SyscallError) {
            return try SnapshotWorker(
                index: recovered.index, snapshotSeq: recovered.report.snapshotSeq ?? 0, logDir: logDir, options: options,
                isDelivered: isDelivered)
        } catch {
            throw .io(error)
        }
    }

    /// Opens the last segment for appending, or creates the first one.
    private static func openActive(logDir: String, index: LogIndex, options: LogOptions) throws(LogOpenError) -> ActiveSegment {
        do throws(SyscallError) {
            if let last = try LogRecovery.segmentSeqs(logDir).last {
                let file = try File.open(logDir + "/" + LogFormat.segmentName(firstSeq: last), flags: O_RDWR)
                // Records a killed process wrote but never synced are in the page cache, and
                // recovery indexed them: sync them now so snapshots and the high-water mark,
                // which cover everything indexed, never claim bytes a power loss could take.
                try file.fdatasync()
                return ActiveSegment(file: file, firstSeq: last, size: try file.size())
            }
            let path = logDir + "/" + LogFormat.segmentName(firstSeq: index.nextSeq)
            let file = try File.open(path, flags: O_RDWR | O_CREAT | O_TRUNC)
            let header = SegmentHeader(firstSeq: index.nextSeq, createdMs: options.clock.nowUnixMs()).encoded()
            try file.pwriteAll(header, at: 0)
            try file.fdatasync()
            try FileSystem.syncDirectory(logDir)
            return ActiveSegment(file: file, firstSeq: index.nextSeq, size: Int64(header.count))
        } catch {
            throw .io(error)
        }
    }
}
