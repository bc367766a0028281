import CLinuxShim
import Glibc
import PayhookPosix

/// The files of `storage.dir/log/` that start-up opens: the lock and the active segment.
public enum LogFiles {
    /// `storage.dir/log`.
    public static func logDirectory(_ dir: String) -> String { dir + "/log" }

    /// Checks the options the log itself enforces.
    public static func validate(_ options: LogOptions) throws(LogOpenError) {
        guard options.segmentBytes > LogFormat.segmentHeaderBytes, options.segmentBytes <= LogOptions.maxSegmentBytes else {
            throw .invalidOption(
                "segment_bytes \(options.segmentBytes) must be in \(LogFormat.segmentHeaderBytes + 1)...\(LogOptions.maxSegmentBytes)")
        }
        guard options.maxBatchRecords >= 1 else { throw .invalidOption("max_batch_records must be at least 1") }
        guard options.ackedMarkIntervalMs >= 1 else { throw .invalidOption("acked_mark_interval_ms must be at least 1") }
    }

    /// Opens and flocks `log/LOCK`, polling every 10 ms for up to `waitMs`.
    public static func lock(logDir: String, waitMs: Int) throws(LogOpenError) -> File {
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

    /// Opens the last segment for appending, or creates the first one.
    public static func openActive(logDir: String, nextSeq: UInt64, options: LogOptions) throws(LogOpenError) -> ActiveSegment {
        do throws(SyscallError) {
            if let last = try LogRecovery.segmentSeqs(logDir).last {
                let file = try File.open(logDir + "/" + LogFormat.segmentName(firstSeq: last), flags: O_RDWR)
                // Records a killed process wrote but never synced are in the page cache, and
                // recovery indexed them: sync them now so snapshots and the high-water mark,
                // which cover everything indexed, never claim bytes a power loss could take.
                try file.fdatasync()
                return ActiveSegment(file: file, firstSeq: last, size: try file.size())
            }
            let path = logDir + "/" + LogFormat.segmentName(firstSeq: nextSeq)
            let file = try File.open(path, flags: O_RDWR | O_CREAT | O_TRUNC)
            let header = SegmentHeader(firstSeq: nextSeq, createdMs: options.clock.nowUnixMs()).encoded()
            try file.pwriteAll(header, at: 0)
            try file.fdatasync()
            try FileSystem.syncDirectory(logDir)
            return ActiveSegment(file: file, firstSeq: nextSeq, size: Int64(header.count))
        } catch {
            throw .io(error)
        }
    }
}
