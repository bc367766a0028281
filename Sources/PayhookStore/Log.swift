import CLinuxShim
import Glibc
import PayhookCore
import PayhookLog
import PayhookPosix

/// The log after recovery: the writer (its thread running), the loop's index and a reader.
public struct OpenedLog: Sendable {
    public let writer: LogWriter
    /// The index as recovered; from now on owned by the loop (apply each completion).
    public let index: LogIndex
    public let reader: LogReader
    public let report: RecoveryReport
    /// The background check of the segments the snapshot covers (`CoveredCheckMode.afterOpen`;
    /// `nil` when there was none to run).
    public let coveredCheck: CoveredCheckProgress?
}

/// The event log: PayhookLog's segments, writer and recovery, with this module's records,
/// index and snapshots (formats in `LogFormat.swift` and `RecordCodec.swift`).
///
/// How the daemon wires it:
/// 1. Before the loop starts: `let log = try Log.open(dir:options:isDelivered:onDurable:)`
///    (`onDurable` signals an eventfd; `log.report.summary` goes to the journal). On
///    `.damaged`, print the error and exit 1.
/// 2. Ingest, on the loop: `log.index.dedup(id:)` answers duplicates; otherwise
///    `writer.submit(.event(request, event), ticket:)` and park the request under the ticket.
/// 3. When the eventfd fires: for each `writer.takeCompletions()` in order, on success
///    `index.apply(payload, at:frameBytes:)` with the payload submitted under its ticket, then
///    answer 200 with `completion.seq`; on failure
///    answer 503 (`.failed` means fdatasync failed: stop accepting and exit non-zero). Then
///    `writer.applied(index)` (hands the snapshot thread a copy when one is due).
/// 4. `/readyz` is `writer.isWritable`; status queries read `index.lookup`/`eventSeqs`, events
///    come from `log.reader` (on a background thread: `RecordFetcher`). A timer calls `writer.requestMaintenance(index)` (retention) and
///    the loop calls `index.dropSegments(through: writer.retiredThroughSeq)`, then expires
///    through `writer.expiredThroughSeq` in an `ExpiryPass` over several turns.
/// 5. SIGTERM: stop accepting, `writer.shutdown { collect(); return index }` (drains, fsyncs,
///    the loop collects the last completions, final snapshot of its index).
public enum Log {
    /// `storage.dir/log`.
    public static func logDirectory(_ dir: String) -> String { LogFiles.logDirectory(dir) }

    /// When the snapshot ending at `lastSeq` in `logDir` was written (Unix ms), `nil` when it is
    /// not there (`IndexSnapshot.writtenAtMs`).
    public static func snapshotWrittenAtMs(logDir: String, lastSeq: UInt64) -> Int64? {
        IndexSnapshot.writtenAtMs(logDir: logDir, lastSeq: lastSeq)
    }

    /// Recovers the log under `dir` (`storage.dir`) and starts the writer and snapshot threads.
    ///
    /// Takes `log/LOCK` (flock) so two daemons never share a log; cuts a torn tail that no
    /// witness proves acknowledged; throws `.damaged` naming the segment and offset for damage
    /// anywhere else, and `.acknowledgedMissing` when the log ends below a proven seq. Runs on the caller's
    /// thread, before the event loop starts.
    /// - Parameters:
    ///   - limits: bounds checked on submit, before any I/O.
    ///   - isDelivered: whether every hook has delivered every record up to the given seq
    ///     (retention deletes only such segments); called on the snapshot thread.
    ///   - onDurable: called on the writer thread after completions are published (the daemon
    ///     signals an eventfd that wakes the loop, which then calls `takeCompletions`).
    public static func open(
        dir: String, options: LogOptions = LogOptions(), limits: LogLimits = LogLimits(),
        isDelivered: @escaping @Sendable (UInt64) -> Bool, onDurable: @escaping @Sendable () -> Void
    ) throws(LogOpenError) -> OpenedLog {
        try LogFiles.validate(options)
        let logDir = logDirectory(dir)
        let lockFile = try LogFiles.lock(logDir: logDir, waitMs: options.lockWaitMs)
        do throws(LogOpenError) {
            var recovered = try LogRecovery.recover(
                logDir: logDir, repair: true, verifyCovered: options.coveredCheck == .beforeOpen, snapshot: IndexSnapshot.loadNewest)
            // Entries due to expire that the snapshot still held (written mid-pass, or before
            // the last expiry): at once, before the loop runs.
            let nowMs = options.clock.nowUnixMs()
            if let through = recovered.index.expiryDue(
                nowMs: nowMs, retentionDays: options.retentionDays, extraDays: options.dedupExtraDays)
            {
                recovered.index.expire(through: through)  // in place: `recovered` holds the only copy
            }
            let active = try LogFiles.openActive(logDir: logDir, nextSeq: recovered.index.nextSeq, options: options)
            let writer: LogWriter
            do throws(SyscallError) {
                let snapshots = try SnapshotWorker(
                    index: recovered.index, snapshotSeq: recovered.report.snapshotSeq ?? 0, logDir: logDir, options: options,
                    isDelivered: isDelivered, wakeLoop: onDurable)
                let segments = try SegmentWriter<LogPayload>(
                    logDir: logDir, active: active, nextSeq: recovered.index.nextSeq, options: options, lockFile: lockFile,
                    admit: { payload in
                        do throws(RecordTooLarge) { try limits.check(payload) } catch { return .tooLarge(error) }
                        return nil
                    },
                    onCommitted: { snapshots.enqueue($0) }, onDurable: onDurable)
                writer = LogWriter(segments: segments, snapshots: snapshots)
            } catch {
                throw .io(error)
            }
            let reader = LogReader(dir: dir)
            var index = recovered.index
            index.records = reader
            let covered = recovered.report.coveredSegments
            let check =
                options.coveredCheck == .afterOpen && !covered.isEmpty ? CoveredCheck.background(logDir: logDir, segments: covered) : nil
            return OpenedLog(writer: writer, index: index, reader: reader, report: recovered.report, coveredCheck: check)
        } catch {
            lockFile.close()
            throw error
        }
    }
}
