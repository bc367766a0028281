import PayhookCore
import PayhookPosix

/// Settings of the log (the `[storage]` keys), with the contract's defaults.
public struct LogOptions: Sendable {
    /// A segment is closed and a new one started past this size. Default 64 MiB (67,108,864).
    public var segmentBytes: Int = 67_108_864
    /// Records written per group commit at most. Default 1024.
    public var maxBatchRecords: Int = 1024
    /// An index snapshot is written every this many records. Default 100,000; 0 disables.
    public var snapshotEveryEvents: Int = 100_000
    /// Segments whose newest record is older than this many days are deleted. Default 90;
    /// 0 keeps everything.
    public var retentionDays: Int = 90
    /// Dedup entries, and payments whose events all left retention, are kept this many days
    /// past retention, then dropped (bounded dedup). Default 30.
    public var dedupExtraDays: Int = 30
    /// When the frames of the segments a snapshot covers are CRC-checked (read, not decoded).
    /// Default `.beforeOpen`.
    public var coveredCheck: CoveredCheckMode = .beforeOpen
    /// The high-water mark `log/acked` (a witness recovery checks the log's end against) is
    /// rewritten at most this often, off the ack path on the snapshot thread, after a batch's
    /// fdatasync. Default 1,000 ms: acked seqs newer than that are proven only by the log.
    public var ackedMarkIntervalMs: Int = 1000
    /// How long `Log.open` waits for `log/LOCK` while another process holds it (a previous
    /// instance still exiting, or a child between fork and exec). Default 2,000 ms.
    public var lockWaitMs: Int = 2000
    /// Wall clock for segment headers and retention.
    public var clock: any Clock = SystemClock()

    public init() {}

    /// Largest segment size the index can address (offsets are u32).
    public static let maxSegmentBytes = Int(UInt32.max) - LogFormat.maxRecordBytes
}

/// When start-up checks the segments a snapshot covers (`[storage] check_covered`). Their
/// records are not replayed, so only this check reads them; at ten million events that is about
/// 8 GB, several seconds even from the page cache.
public enum CoveredCheckMode: String, Sendable, CaseIterable {
    /// Before `Log.open` returns: damage anywhere stops start-up.
    case beforeOpen = "before_ready"
    /// On a background thread once the log is open (the daemon is ready meanwhile): damage is
    /// reported (journal, metric), it does not stop the daemon. The index does not depend on
    /// those bytes (the snapshot holds it) and new events go to new segments.
    case afterOpen = "after_ready"
    /// Never (`payhookd-logbench open --no-verify`).
    case never
}

/// Why a submitted record was not made durable. The daemon answers 503 for all of these.
public enum LogWriteError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The disk is full (ENOSPC); the batch was cut off and the log stays usable.
    case storageFull(SyscallError)
    /// A write failed (EIO, short write, ...); the batch was cut off and the log stays usable.
    case io(SyscallError)
    /// fdatasync failed, now or earlier: the log accepts nothing more; the daemon must exit
    /// non-zero so recovery re-reads the log (retrying fsync after an error is unsafe).
    case failed(SyscallError)
    /// `shutdown()` was called.
    case shuttingDown
    /// Over a bound the store checks on submit (its `LogLimits`); nothing was written.
    case tooLarge(RecordTooLarge)

    public var description: String {
        switch self {
        case .storageFull(let e): "storage full: \(e)"
        case .io(let e): "write failed: \(e)"
        case .failed(let e): "log failed: \(e)"
        case .shuttingDown: "log is shutting down"
        case .tooLarge(let e): "record too large: \(e)"
        }
    }

    static func write(_ e: SyscallError) -> LogWriteError { e.errno == .noSpace ? .storageFull(e) : .io(e) }
}

/// The outcome of one submitted record, handed back to the loop by `takeCompletions()`.
public struct LogCompletion: Sendable, Equatable {
    public var ticket: UInt64
    public var result: Result<AppendedRecord, LogWriteError>
    /// Size of the record on disk (0 on failure), for `LogIndex.apply`.
    public var frameBytes: Int

    public init(ticket: UInt64, result: Result<AppendedRecord, LogWriteError>, frameBytes: Int) {
        self.ticket = ticket
        self.result = result
        self.frameBytes = frameBytes
    }

    /// The durable seq, or `nil` on failure.
    public var seq: UInt64? { if case .success(let a) = result { a.seq } else { nil } }
}

/// A record that cannot be stored because a field is over a bound (the store's `LogLimits`).
public struct RecordTooLarge: Error, Equatable, Sendable, CustomStringConvertible {
    public var field: String
    public var bytes: Int
    public var limit: Int
    public var description: String { "\(field) is \(bytes), over the limit of \(limit)" }

    public init(field: String, bytes: Int, limit: Int) {
        self.field = field
        self.bytes = bytes
        self.limit = limit
    }
}
