/// The allowed range of every numeric config key, in one place. A value outside its range is a
/// config error naming the range. Defaults live in `Config.swift`.
public struct ConfigLimit: Sendable, Equatable, CustomStringConvertible {
    /// `server`, `storage` or `hooks`.
    public let section: String
    public let key: String
    public let min: Int
    public let max: Int

    public init(_ section: String, _ key: String, min: Int, max: Int) {
        self.section = section
        self.key = key
        self.min = min
        self.max = max
    }

    public var description: String { "\(section).\(key) in \(min)...\(max)" }
}

public enum ConfigLimits {
    // [server]
    public static let maxConnections = ConfigLimit("server", "max_connections", min: 2, max: 1_000_000)
    public static let adminReserveConnections = ConfigLimit("server", "admin_reserve_connections", min: 1, max: 10_000)
    public static let maxAdminConnections = ConfigLimit("server", "max_admin_connections", min: 1, max: 100_000)
    public static let adminUnauthenticatedTimeoutMs = ConfigLimit("server", "admin_unauthenticated_timeout_ms", min: 100, max: 300_000)
    public static let maxLongPollWaiters = ConfigLimit("server", "max_long_poll_waiters", min: 1, max: 100_000)
    /// At most 8 MiB: a body must fit one log record (16 MiB with its request and event).
    public static let maxBodyBytes = ConfigLimit("server", "max_body_bytes", min: 1024, max: 8_388_608)
    public static let maxRequestLineBytes = ConfigLimit("server", "max_request_line_bytes", min: 256, max: 65_536)
    public static let maxHeaderBytes = ConfigLimit("server", "max_header_bytes", min: 1024, max: 1_048_576)
    public static let maxHeaderCount = ConfigLimit("server", "max_header_count", min: 8, max: 1024)
    public static let headerTimeoutMs = ConfigLimit("server", "header_timeout_ms", min: 100, max: 300_000)
    public static let bodyTimeoutMs = ConfigLimit("server", "body_timeout_ms", min: 100, max: 600_000)
    public static let idleTimeoutMs = ConfigLimit("server", "idle_timeout_ms", min: 100, max: 3_600_000)
    /// At most 60 s, so that systemd's TimeoutStopSec (90 s in payhookd.service) always covers it.
    public static let shutdownTimeoutMs = ConfigLimit("server", "shutdown_timeout_ms", min: 0, max: 60_000)
    public static let sendTimeoutMs = ConfigLimit("server", "send_timeout_ms", min: 100, max: 600_000)
    public static let maxPipelinedRequests = ConfigLimit("server", "max_pipelined_requests", min: 1, max: 1024)
    public static let maxTrailerBytes = ConfigLimit("server", "max_trailer_bytes", min: 256, max: 1_048_576)
    public static let maxChunkExtensionBytes = ConfigLimit("server", "max_chunk_extension_bytes", min: 16, max: 65_536)
    public static let maxEventsPage = ConfigLimit("server", "max_events_page", min: 1, max: 100_000)
    public static let maxLongPollSeconds = ConfigLimit("server", "max_long_poll_seconds", min: 1, max: 3600)
    /// `admin_token` / `admin_token_file` length in bytes: short tokens can be guessed.
    public static let adminTokenBytes = ConfigLimit("server", "admin_token", min: 16, max: 4096)
    /// Bytes of log lines waiting for stderr; past it lines are dropped and counted.
    public static let logQueueBytes = ConfigLimit("server", "log_queue_bytes", min: 4096, max: 67_108_864)
    /// Window of the summary of repeated refusal lines (one line, then one count per window).
    public static let logRepeatWindowMs = ConfigLimit("server", "log_repeat_window_ms", min: 100, max: 3_600_000)
    // [server] HTTP/2 (h2c)
    public static let h2MaxConcurrentStreams = ConfigLimit("server", "h2_max_concurrent_streams", min: 1, max: 1_000)
    public static let h2MaxHeaderListBytes = ConfigLimit("server", "h2_max_header_list_bytes", min: 1_024, max: 1_048_576)
    public static let h2ConnectionWindowBytes = ConfigLimit("server", "h2_connection_window_bytes", min: 65_535, max: 16_777_216)
    public static let h2StreamWindowBytes = ConfigLimit("server", "h2_stream_window_bytes", min: 16_384, max: 16_777_216)
    public static let h2MaxResetsPerSecond = ConfigLimit("server", "h2_max_resets_per_second", min: 1, max: 100_000)
    public static let h2MaxControlFramesPerSecond = ConfigLimit("server", "h2_max_control_frames_per_second", min: 10, max: 1_000_000)
    // [storage]
    public static let segmentBytes = ConfigLimit("storage", "segment_bytes", min: 1_048_576, max: 1_073_741_824)
    public static let retentionDays = ConfigLimit("storage", "retention_days", min: 1, max: 36_500)
    public static let rejectsMaxBytes = ConfigLimit("storage", "rejects_max_bytes", min: 1_048_576, max: 17_179_869_184)
    /// At most 256 files, so a segment of the smallest bound (1 MiB) still holds 4 KiB.
    public static let rejectsSegments = ConfigLimit("storage", "rejects_segments", min: 2, max: 256)
    /// Free space (bytes) rejects never eat into; up to 1 TiB.
    public static let rejectsReserveBytes = ConfigLimit("storage", "rejects_reserve_bytes", min: 0, max: 1_099_511_627_776)
    public static let rejectsQueueEntries = ConfigLimit("storage", "rejects_queue_entries", min: 1, max: 65_536)
    public static let rejectsQueueBytes = ConfigLimit("storage", "rejects_queue_bytes", min: 65_536, max: 268_435_456)
    public static let rejectsClientRatePerSecond = ConfigLimit("storage", "rejects_client_rate_per_second", min: 1, max: 100_000)
    public static let rejectsClientBurst = ConfigLimit("storage", "rejects_client_burst", min: 1, max: 1_000_000)
    public static let rejectsClientsMax = ConfigLimit("storage", "rejects_clients_max", min: 1, max: 1_000_000)
    /// At most 30 s, well inside systemd's TimeoutStopSec (90 s) with the drain before it.
    public static let rejectsShutdownMs = ConfigLimit("storage", "rejects_shutdown_ms", min: 0, max: 30_000)
    public static let maxBatchRecords = ConfigLimit("storage", "max_batch_records", min: 1, max: 65_536)
    public static let snapshotEveryEvents = ConfigLimit("storage", "snapshot_every_events", min: 1000, max: 100_000_000)
    public static let ackedMarkIntervalMs = ConfigLimit("storage", "acked_mark_interval_ms", min: 10, max: 60_000)
    // [[hooks]]
    public static let hookTimeoutMs = ConfigLimit("hooks", "timeout_ms", min: 100, max: 600_000)
    /// In milliseconds; written as a duration (`"1s"` ... `"30d"`).
    public static let retryMaxAgeMs = ConfigLimit("hooks", "retry_max_age", min: 1000, max: 2_592_000_000)
    public static let maxInFlight = ConfigLimit("hooks", "max_in_flight", min: 1, max: 256)
    public static let retryMaxIntervalMs = ConfigLimit("hooks", "retry_max_interval", min: 1000, max: 86_400_000)
    // [[sources]] and [[hooks]]
    /// `[[sources]] max_body_bytes`: the same range as the server's key, and at most the server's
    /// value (its parser check comes first). Tested in `SourceBodyLimitConfigTests`: the key
    /// shares its name with `[server]`'s, which `integerKeys` walks.
    public static let sourceMaxBodyBytes = ConfigLimit("sources", "max_body_bytes", min: 1024, max: 8_388_608)
    /// Length of source and hook names in bytes.
    public static let nameBytes = ConfigLimit("sources", "name", min: 1, max: 64)

    /// Every integer key (the ones a test walks at min, max, min-1 and max+1).
    public static let integerKeys: [ConfigLimit] = [
        maxConnections, adminReserveConnections, maxBodyBytes, maxRequestLineBytes, maxHeaderBytes,
        maxHeaderCount, headerTimeoutMs, bodyTimeoutMs, idleTimeoutMs, shutdownTimeoutMs, sendTimeoutMs, maxPipelinedRequests,
        maxEventsPage, maxLongPollSeconds, maxTrailerBytes, maxChunkExtensionBytes, logQueueBytes, logRepeatWindowMs,
        segmentBytes, retentionDays, rejectsMaxBytes, rejectsSegments, rejectsReserveBytes, rejectsQueueEntries,
        rejectsQueueBytes, rejectsClientRatePerSecond, rejectsClientBurst, rejectsClientsMax, rejectsShutdownMs,
        maxBatchRecords, snapshotEveryEvents, ackedMarkIntervalMs,
        maxAdminConnections, adminUnauthenticatedTimeoutMs, maxLongPollWaiters,
        h2MaxConcurrentStreams, h2MaxHeaderListBytes, h2ConnectionWindowBytes, h2StreamWindowBytes, h2MaxResetsPerSecond, h2MaxControlFramesPerSecond,
        hookTimeoutMs, maxInFlight,
    ]
}

/// Bounds on loading itself (as opposed to the values loaded).
public struct ConfigLoadLimits: Sendable, Equatable {
    /// The TOML parser's bounds (document size, nesting).
    public var toml = TOMLLimits()
    /// Size of one secret file at most, in bytes. Default 64 KiB (a PEM key is about 1 KiB).
    public var maxSecretFileBytes: Int = 65_536

    public init(toml: TOMLLimits = TOMLLimits(), maxSecretFileBytes: Int = 65_536) {
        self.toml = toml
        self.maxSecretFileBytes = maxSecretFileBytes
    }
}
