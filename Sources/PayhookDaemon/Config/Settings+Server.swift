// [server]: listeners, proxy trust, the admin token, connection and HTTP limits, logging.
// Limits need a restart (they size tables and are copied into the server at start); what the
// loop reads per request (trusted proxies, the admin token) applies on SIGHUP.

extension Settings {
    static let server = SettingsSection<Config.Server>(
        name: "server", defaults: Config.Server(),
        rows: [
            .custom(
                "ingest", reload: .restart, example: #"["127.0.0.1:8480"]"#,
                help: "provider callbacks, via nginx: HOST:PORT, [V6]:PORT or unix:/path", value: { $0.ingest }
            ) { s, t, c throws(ConfigError) in
                if let list = try c.decoder.listeners(t, "ingest") { s.ingest = list.map(\.text) }
            },
            .custom(
                "admin", reload: .restart, example: #"["127.0.0.1:8481"]"#,
                help: "status API, metrics, hook control; non-loopback needs an admin token", value: { $0.admin }
            ) { s, t, c throws(ConfigError) in
                if let list = try c.decoder.listeners(t, "admin") { s.admin = list.map(\.text) }
            },
            .custom(
                "trusted_proxies", reload: .live, example: #"["127.0.0.1", "::1"]"#,
                help: "peers whose X-Real-IP / X-Forwarded-For are believed (addresses or CIDR)", value: { $0.trustedProxies }
            ) { s, t, c throws(ConfigError) in try c.decoder.trustedProxies(&s, t, c) },
            .custom(
                "admin_token_file", reload: .live, example: #""admin.token""#, commented: true,
                help: "bearer token for the admin API (16 to 4096 printable bytes); default: none", value: { $0.adminToken }
            ) { s, t, c throws(ConfigError) in s.adminToken = try c.decoder.adminToken(t) },
            .custom(
                "admin_token", reload: .live, example: #""...""#, commented: true,
                help: "the same inline, for development; use one of the two", value: { $0.adminToken }
            ) { _, _, _ throws(ConfigError) in /* read with admin_token_file: they exclude each other */ },
            .int(
                "max_connections", \.maxConnections, 2...1_000_000, unit: .count,
                help: "open connections at most, all listeners; LimitNOFILE covers it"),
            .int(
                "admin_reserve_connections", \.adminReserveConnections, 1...10_000, unit: .count,
                help: "of those, kept for the admin listener alone (below max_connections)"),
            .int(
                "max_admin_connections", \.maxAdminConnections, 1...100_000, unit: .count,
                help: "the admin listener holds at most this many (below max_connections; unset: 256 or half of it)"),
            .int(
                "admin_unauthenticated_timeout_ms", \.adminUnauthenticatedTimeoutMs, 100...300_000, unit: .ms,
                help: "with an admin token: an admin connection without a request bearing it is closed after"),
            .int(
                "max_body_bytes", \.maxBodyBytes, 1024...8_388_608, unit: .bytes,
                help: "request body limit, 413 above; match nginx client_max_body_size (at most 8 MiB: one log record)"),
            .int("max_request_line_bytes", \.maxRequestLineBytes, 256...65_536, unit: .bytes, help: "request line limit, 414 above"),
            .int("max_header_bytes", \.maxHeaderBytes, 1024...1_048_576, unit: .bytes, help: "header section limit, 431 above"),
            .int("max_header_count", \.maxHeaderCount, 8...1024, unit: .count, help: "header fields at most, 431 above"),
            .int(
                "max_trailer_bytes", \.maxTrailerBytes, 256...1_048_576, unit: .bytes, help: "trailer section of a chunked body, 431 above"),
            .int(
                "max_chunk_extension_bytes", \.maxChunkExtensionBytes, 16...65_536, unit: .bytes, help: "extensions of one chunk, 400 above"),
            .int("header_timeout_ms", \.headerTimeoutMs, 100...300_000, unit: .ms, help: "time to receive a request head, 408 after"),
            .int(
                "body_timeout_ms", \.bodyTimeoutMs, 100...600_000, unit: .ms, help: "time to receive a body once the head is in, 408 after"),
            .int("idle_timeout_ms", \.idleTimeoutMs, 100...3_600_000, unit: .ms, help: "idle keep-alive connections are closed after"),
            // At most 60 s, so that systemd's TimeoutStopSec (90 s in payhookd.service) always covers it.
            .int(
                "shutdown_timeout_ms", \.shutdownTimeoutMs, 0...60_000, unit: .ms, help: "SIGTERM waits this long for in-flight requests"),
            .int(
                "send_timeout_ms", \.sendTimeoutMs, 100...600_000, unit: .ms,
                help: "a client that reads none of our answer for this long is cut off"),
            .int(
                "max_pipelined_requests", \.maxPipelinedRequests, 1...1024, unit: .count,
                help: "unanswered pipelined requests per connection before reading pauses"),
            .int(
                "max_events_page", \.maxEventsPage, 1...100_000, unit: .events,
                help: "events one GET /v1/events answer holds at most; larger limits are clamped"),
            .int("max_long_poll_seconds", \.maxLongPollSeconds, 1...3600, unit: .seconds, help: "longest wait= of GET /v1/events, 400 above"),
            .int(
                "log_queue_bytes", \.logQueueBytes, 4096...67_108_864, unit: .bytes,
                help: "log lines waiting for stderr; past it dropped and counted"),
            .int(
                "log_repeat_window_ms", \.logRepeatWindowMs, 100...3_600_000, unit: .ms,
                help: "a repeated refusal is logged once, then one count line per window"),
            .int(
                "max_long_poll_waiters", \.maxLongPollWaiters, 1...100_000, unit: .count,
                help: "GET /v1/events?wait= requests held at once, 503 with Retry-After above"),
            .int(
                "status_cache_entries", \.statusCacheEntries, 0...1_048_576, unit: .count,
                help: "status answers kept by payment with the record they were written from (640 bytes each; 0: none)"),
            .int(
                "h2_max_concurrent_streams", \.h2MaxConcurrentStreams, 1...1000, unit: .count,
                help: "HTTP/2 streams open at once per connection, more refused"),
            .int(
                "h2_max_header_list_bytes", \.h2MaxHeaderListBytes, 1024...1_048_576, unit: .bytes,
                help: "decoded HTTP/2 request header list, 431 on the stream above"),
            .int(
                "h2_connection_window_bytes", \.h2ConnectionWindowBytes, 65_535...16_777_216, unit: .bytes,
                help: "HTTP/2 body bytes a connection may have buffered (connection window); at least max_body_bytes, which it grows to when unset"),
            .int(
                "h2_stream_window_bytes", \.h2StreamWindowBytes, 16_384...16_777_216, unit: .bytes,
                help: "HTTP/2 body bytes a stream may send ahead (initial window)"),
            .int(
                "h2_max_resets_per_second", \.h2MaxResetsPerSecond, 1...100_000, unit: .perSecond,
                help: "RST_STREAM per second (and burst) before GOAWAY: rapid reset"),
            .int(
                "h2_max_control_frames_per_second", \.h2MaxControlFramesPerSecond, 10...1_000_000, unit: .perSecond,
                help: "SETTINGS/PING/WINDOW_UPDATE/PRIORITY per second before GOAWAY"),
        ])
}
