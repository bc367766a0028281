import PayhookLog

// [storage]: the log and the rejects store. Every key needs a restart: the files are open and
// the writer threads sized at start.

extension Settings {
    static let storage = SettingsSection<Config.Storage>(
        name: "storage", defaults: Config.Storage(),
        rows: [
            .custom(
                "dir", reload: .restart, example: #""/var/lib/payhookd""#,
                help: "log, rejects, snapshots, hook progress (systemd StateDirectory)", value: { $0.dir }
            ) { s, t, c throws(ConfigError) in
                guard let (dir, line) = try t.string("dir") else { return }
                guard !dir.isEmpty else { throw t.error(line, "`dir` must not be empty") }
                s.dir = ConfigFiles.resolve(dir, against: ConfigFiles.folder(of: c.file))
            },
            .int(
                "segment_bytes", \.segmentBytes, 1_048_576...1_073_741_824, unit: .bytes, help: "a log segment is closed past this size"),
            .int("retention_days", \.retentionDays, 1...36_500, unit: .days, help: "delivered segments older than this are deleted"),
            .int(
                "dedup_extra_days", \.dedupExtraDays, 0...3650, unit: .days,
                help: "dedup entries and payment statuses outlive retention by this much, then go"),
            .int(
                "rejects_max_bytes", \.rejectsMaxBytes, 1_048_576...17_179_869_184, unit: .bytes,
                help: "bound on stored rejected requests on disk, oldest dropped first"),
            // At most 256 files, so a segment of the smallest bound (1 MiB) still holds 4 KiB.
            .int(
                "rejects_segments", \.rejectsSegments, 2...256, unit: .count,
                help: "files the rejects bound is split into; the oldest is deleted whole"),
            .int(
                "rejects_reserve_bytes", \.rejectsReserveBytes, 0...1_099_511_627_776, unit: .bytes,
                help: "no reject is written while the filesystem has less free space"),
            .int(
                "rejects_queue_entries", \.rejectsQueueEntries, 1...65_536, unit: .count,
                help: "rejects queued or being written by the writer thread, past it dropped"),
            .int("rejects_queue_bytes", \.rejectsQueueBytes, 65_536...268_435_456, unit: .bytes, help: "the same in bytes"),
            .int(
                "rejects_client_rate_per_second", \.rejectsClientRatePerSecond, 1...100_000, unit: .perSecond,
                help: "rejects kept per second per (source, client) after the burst"),
            .int(
                "rejects_client_burst", \.rejectsClientBurst, 1...1_000_000, unit: .count,
                help: "rejects kept in a row per (source, client) before sampling"),
            .int(
                "rejects_max_clients", \.rejectsMaxClients, 1...1_000_000, unit: .count,
                help: "(source, client) pairs tracked; past it new ones share one budget"),
            // At most 30 s, well inside systemd's TimeoutStopSec (90 s) with the drain before it.
            .int(
                "rejects_shutdown_ms", \.rejectsShutdownMs, 0...30_000, unit: .ms,
                help: "at SIGTERM, rejects still queued after this are dropped"),
            .int("max_batch_records", \.maxBatchRecords, 1...65_536, unit: .count, help: "records per group commit (fdatasync) at most"),
            .int(
                "snapshot_every_events", \.snapshotEveryEvents, 1000...100_000_000, unit: .events,
                help: "index snapshot interval, bounds start-up time"),
            // Parked files are appended to and compacted at twice their live size (ParkedFile.swift).
            .int(
                "hook_parked_max_bytes", \.hookParkedMaxBytes, 1_048_576...17_179_869_184, unit: .bytes,
                help: "a hook's parked-events file larger than this stops start-up (not read into memory)"),
            .int(
                "acked_mark_interval_ms", \.ackedMarkIntervalMs, 10...60_000, unit: .ms,
                help: "log/acked (proof of acked seqs, checked at start-up) rewritten at most this often"),
            .custom(
                "check_covered", reload: .restart, example: #""before_ready""#,
                help: "CRC check of segments a snapshot covers: \"before_ready\" (damage stops start-up), or \"after_ready\" (faster start)",
                value: { $0.checkCovered.rawValue }
            ) { s, t, _ throws(ConfigError) in
                guard let (text, line) = try t.string("check_covered") else { return }
                guard let mode = CoveredCheckMode(rawValue: text), mode != .never else {
                    throw t.error(line, "check_covered `\(text)` must be \"after_ready\" or \"before_ready\"")
                }
                s.checkCovered = mode
            },
        ])
}
