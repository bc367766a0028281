// SIGHUP: sources, secrets and hooks are reloaded atomically; a bad new file is refused and the
// old config stays (design.md). Listeners, limits and storage need a restart: `restartRequired`
// names what changed there so that the daemon can log it instead of silently ignoring it. The
// admin token is a secret, so it counts as reloadable.

extension Config {
    /// Loads the file this config came from again, with the same environment and bounds.
    public func reload(limits: ConfigLoadLimits = ConfigLoadLimits()) throws(ConfigError) -> Config {
        try Config.load(path: path, environment: loadEnvironment, limits: limits)
    }

    /// The keys (`server.ingest`, `storage.dir`, ...) whose new value only takes effect after a
    /// restart, in the order of the config file; empty when a reload applies everything.
    public func restartRequired(toApply new: Config) -> [String] {
        let server: [(String, (Server) -> AnyHashable)] = [
            ("ingest", { $0.ingest }), ("admin", { $0.admin }), ("trusted_proxies", { $0.trustedProxies }),
            ("max_connections", { $0.maxConnections }),
            ("admin_reserve_connections", { $0.adminReserveConnections }), ("max_body_bytes", { $0.maxBodyBytes }),
            ("max_request_line_bytes", { $0.maxRequestLineBytes }), ("max_header_bytes", { $0.maxHeaderBytes }),
            ("max_header_count", { $0.maxHeaderCount }), ("header_timeout_ms", { $0.headerTimeoutMs }),
            ("body_timeout_ms", { $0.bodyTimeoutMs }), ("idle_timeout_ms", { $0.idleTimeoutMs }),
            ("shutdown_timeout_ms", { $0.shutdownTimeoutMs }), ("send_timeout_ms", { $0.sendTimeoutMs }),
            ("max_pipelined_requests", { $0.maxPipelinedRequests }), ("max_events_page", { $0.maxEventsPage }),
            ("max_long_poll_seconds", { $0.maxLongPollSeconds }), ("max_trailer_bytes", { $0.maxTrailerBytes }),
            ("max_chunk_extension_bytes", { $0.maxChunkExtensionBytes }), ("log_queue_bytes", { $0.logQueueBytes }),
            ("log_repeat_window_ms", { $0.logRepeatWindowMs }),
            ("max_admin_connections", { $0.maxAdminConnections }),
            ("admin_unauthenticated_timeout_ms", { $0.adminUnauthenticatedTimeoutMs }),
            ("max_long_poll_waiters", { $0.maxLongPollWaiters }),
            ("h2_max_concurrent_streams", { $0.h2MaxConcurrentStreams }),
            ("h2_max_header_list_bytes", { $0.h2MaxHeaderListBytes }),
            ("h2_connection_window_bytes", { $0.h2ConnectionWindowBytes }),
            ("h2_stream_window_bytes", { $0.h2StreamWindowBytes }),
            ("h2_max_resets_per_second", { $0.h2MaxResetsPerSecond }),
            ("h2_max_control_frames_per_second", { $0.h2MaxControlFramesPerSecond }),
        ]
        let storage: [(String, (Storage) -> AnyHashable)] = [
            ("dir", { $0.dir }), ("segment_bytes", { $0.segmentBytes }), ("retention_days", { $0.retentionDays }),
            ("rejects_max_bytes", { $0.rejectsMaxBytes }), ("max_batch_records", { $0.maxBatchRecords }),
            ("snapshot_every_events", { $0.snapshotEveryEvents }), ("rejects_segments", { $0.rejectsSegments }),
            ("rejects_reserve_bytes", { $0.rejectsReserveBytes }), ("rejects_queue_entries", { $0.rejectsQueueEntries }),
            ("rejects_queue_bytes", { $0.rejectsQueueBytes }), ("rejects_client_rate_per_second", { $0.rejectsClientRatePerSecond }),
            ("rejects_client_burst", { $0.rejectsClientBurst }), ("rejects_clients_max", { $0.rejectsClientsMax }),
            ("rejects_shutdown_ms", { $0.rejectsShutdownMs }),
            ("acked_mark_interval_ms", { $0.ackedMarkIntervalMs }),
        ]
        return server.filter { $0.1(self.server) != $0.1(new.server) }.map { "server.\($0.0)" }
            + storage.filter { $0.1(self.storage) != $0.1(new.storage) }.map { "storage.\($0.0)" }
    }
}
