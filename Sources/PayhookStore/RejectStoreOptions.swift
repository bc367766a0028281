import PayhookLog
import PayhookPosix

/// The rejects store's bounds (`[storage] rejects_*`). Defaults here; ranges in the daemon's
/// `ConfigLimits`.
public struct RejectStoreOptions: Sendable {
    /// Bytes of reject segments on disk at most (exact: `segments` files of
    /// `maxBytes / segments` bytes each). Default 64 MiB.
    public var maxBytes: Int = 67_108_864
    /// Segment files the bound is split into; deleting the oldest frees 1/`segments` of it.
    /// Default 8.
    public var segments: Int = 8
    /// Free space the filesystem must keep after a reject is written, in bytes, so that the log
    /// always finds room before rejects do. Default 256 MiB.
    public var reserveBytes: Int64 = 268_435_456
    /// Rejects waiting for the writer thread at most. Default 1024.
    public var queueEntries: Int = 1024
    /// Bytes of rejects waiting for the writer thread at most. Default 4 MiB.
    public var queueBytes: Int = 4_194_304
    /// Rejects kept per second from one (source, client) after its burst. Default 5.
    public var clientRatePerSecond: Int = 5
    /// Rejects one (source, client) may have kept in a row before sampling starts. Default 50.
    public var clientBurst: Int = 50
    /// (source, client) pairs tracked at most; past it, new pairs share one bucket. Default 4096.
    public var maxClients: Int = 4096
    /// At shutdown, what is still queued after this many ms is dropped (and counted). Default 2000.
    public var shutdownMs: Int = 2000
    /// Free bytes of the filesystem holding a path (tests replace it).
    public var availableBytes: @Sendable (String) -> Int64? = { try? FileSystem.availableBytes($0) }

    public init() {}

    /// Bytes of one segment at most.
    public var segmentBytes: Int { maxBytes / segments }
}

/// Why a reject was not kept (`payhook_rejects_dropped_total{cause=...}`).
public enum RejectDropCause: Int, CaseIterable, Sendable {
    /// Past its (source, client)'s rate: a flood is sampled.
    case sampled
    /// The writer thread's queue was full (entries or bytes).
    case queueFull
    /// Larger than a segment even with its body cut.
    case tooLarge
    /// The filesystem is under `reserveBytes` of free space.
    case diskReserve
    /// The write failed (ENOSPC, EIO).
    case writeFailed
    /// Still queued past the shutdown deadline.
    case shutdown

    public var label: String {
        switch self {
        case .sampled: "sampled"
        case .queueFull: "queue_full"
        case .tooLarge: "too_large"
        case .diskReserve: "disk_reserve"
        case .writeFailed: "write_failed"
        case .shutdown: "shutdown"
        }
    }
}
