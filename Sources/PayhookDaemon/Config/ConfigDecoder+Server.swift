// [server] and [storage].

extension ConfigDecoder {
    static let serverKeys = [
        "ingest", "admin", "trusted_proxies", "admin_token_file", "admin_token", "max_connections",
        "admin_reserve_connections", "max_body_bytes", "max_request_line_bytes", "max_header_bytes",
        "max_header_count", "header_timeout_ms", "body_timeout_ms", "idle_timeout_ms", "shutdown_timeout_ms",
        "send_timeout_ms", "max_pipelined_requests", "max_events_page", "max_long_poll_seconds",
        "max_trailer_bytes", "max_chunk_extension_bytes", "log_queue_bytes", "log_repeat_window_ms",
        "max_admin_connections", "admin_unauthenticated_timeout_ms", "max_long_poll_waiters",
        "h2_max_concurrent_streams", "h2_max_header_list_bytes", "h2_connection_window_bytes", "h2_stream_window_bytes", "h2_max_resets_per_second",
        "h2_max_control_frames_per_second",
    ]
    static let storageKeys = [
        "dir", "segment_bytes", "retention_days", "rejects_max_bytes", "max_batch_records", "snapshot_every_events",
        "rejects_segments", "rejects_reserve_bytes", "rejects_queue_entries", "rejects_queue_bytes",
        "rejects_client_rate_per_second", "rejects_client_burst", "rejects_clients_max", "rejects_shutdown_ms",
        "acked_mark_interval_ms",
    ]

    func server(_ table: ConfigTable?, warnings: inout [ConfigWarning]) throws(ConfigError) -> Config.Server {
        var server = Config.Server()
        guard let t = table else { return server }
        try t.rejectUnknownKeys(Self.serverKeys)
        let ingest = try listeners(t, "ingest")
        let admin = try listeners(t, "admin")
        if let ingest { server.ingest = ingest.map(\.text) }
        if let admin { server.admin = admin.map(\.text) }
        if let proxies = try t.strings("trusted_proxies") {
            server.trustedProxies = try blocks(proxies, key: "trusted_proxies", in: t)
            for (text, line) in proxies where IPBlock(parsing: text)?.prefixLength == 0 {
                warnings.append(
                    ConfigWarning(
                        file: file, line: line,
                        message: "trusted_proxies `\(text)` trusts every peer: any client can choose its X-Real-IP and pass allow_from"))
            }
        }
        server.adminToken = try adminToken(t)
        let ints: [(ConfigLimit, WritableKeyPath<Config.Server, Int>)] = [
            (ConfigLimits.maxConnections, \.maxConnections),
            (ConfigLimits.adminReserveConnections, \.adminReserveConnections),
            (ConfigLimits.maxBodyBytes, \.maxBodyBytes), (ConfigLimits.maxRequestLineBytes, \.maxRequestLineBytes),
            (ConfigLimits.maxHeaderBytes, \.maxHeaderBytes), (ConfigLimits.maxHeaderCount, \.maxHeaderCount),
            (ConfigLimits.headerTimeoutMs, \.headerTimeoutMs), (ConfigLimits.bodyTimeoutMs, \.bodyTimeoutMs),
            (ConfigLimits.idleTimeoutMs, \.idleTimeoutMs), (ConfigLimits.shutdownTimeoutMs, \.shutdownTimeoutMs),
            (ConfigLimits.sendTimeoutMs, \.sendTimeoutMs), (ConfigLimits.maxPipelinedRequests, \.maxPipelinedRequests),
            (ConfigLimits.maxEventsPage, \.maxEventsPage), (ConfigLimits.maxLongPollSeconds, \.maxLongPollSeconds),
            (ConfigLimits.maxTrailerBytes, \.maxTrailerBytes), (ConfigLimits.maxChunkExtensionBytes, \.maxChunkExtensionBytes),
            (ConfigLimits.logQueueBytes, \.logQueueBytes), (ConfigLimits.logRepeatWindowMs, \.logRepeatWindowMs),
            (ConfigLimits.maxAdminConnections, \.maxAdminConnections),
            (ConfigLimits.adminUnauthenticatedTimeoutMs, \.adminUnauthenticatedTimeoutMs),
            (ConfigLimits.maxLongPollWaiters, \.maxLongPollWaiters),
            (ConfigLimits.h2MaxConcurrentStreams, \.h2MaxConcurrentStreams),
            (ConfigLimits.h2MaxHeaderListBytes, \.h2MaxHeaderListBytes),
            (ConfigLimits.h2ConnectionWindowBytes, \.h2ConnectionWindowBytes),
            (ConfigLimits.h2StreamWindowBytes, \.h2StreamWindowBytes),
            (ConfigLimits.h2MaxResetsPerSecond, \.h2MaxResetsPerSecond),
            (ConfigLimits.h2MaxControlFramesPerSecond, \.h2MaxControlFramesPerSecond),
        ]
        for (limit, keyPath) in ints {
            if let n = try t.integer(limit.key, limit) { server[keyPath: keyPath] = n }
        }
        if server.adminReserveConnections >= server.maxConnections {
            throw t.error(
                t.line(of: "admin_reserve_connections"),
                "admin_reserve_connections (\(server.adminReserveConnections)) must be below max_connections (\(server.maxConnections))")
        }
        try adminShare(&server, t)
        var seen: [String: Int] = [:]
        // Port 0 asks the kernel for a free port at each bind, so it never collides.
        for address in (ingest ?? []) + (admin ?? []) where !address.text.hasSuffix(":0") {
            if let first = seen[address.text] {
                throw t.error(address.line, "`\(address.text)` is listed twice (first at line \(first)): each address is bound once")
            }
            seen[address.text] = address.line
        }
        for address in admin ?? [] {
            if !address.isLocal && server.adminToken == nil {
                throw t.error(
                    address.line,
                    "admin address `\(address.text)` is not loopback: set admin_token_file (or admin_token), or listen on 127.0.0.1, [::1] or a unix socket"
                )
            }
        }
        return server
    }

    /// The admin listener's bound must leave ingest a share of `max_connections`. Unset, it is
    /// 256 or half of `max_connections`, whichever is smaller (small test configs keep loading).
    private func adminShare(_ server: inout Config.Server, _ t: ConfigTable) throws(ConfigError) {
        guard t.table["max_admin_connections"] != nil else {
            server.maxAdminConnections = min(server.maxAdminConnections, max(1, server.maxConnections / 2))
            return
        }
        if server.maxAdminConnections >= server.maxConnections {
            throw t.error(
                t.line(of: "max_admin_connections"),
                "max_admin_connections (\(server.maxAdminConnections)) must be below max_connections (\(server.maxConnections)): ingest keeps the rest"
            )
        }
    }

    private struct Listener {
        let text: String
        let line: Int
        let isLocal: Bool
    }

    private func listeners(_ t: ConfigTable, _ key: String) throws(ConfigError) -> [Listener]? {
        guard let list = try t.strings(key) else { return nil }
        if list.isEmpty { throw t.error(t.line(of: key), "`\(key)` needs at least one address") }
        var out: [Listener] = []
        for (text, line) in list {
            switch ConfigAddresses.listen(text) {
            case .success(let isLocal): out.append(Listener(text: text, line: line, isLocal: isLocal))
            case .failure(let invalid):
                throw t.error(line, "invalid \(key) address `\(text)`: \(invalid.reason) (expected HOST:PORT, [V6]:PORT or unix:/path)")
            }
        }
        return out
    }

    /// Addresses or CIDR blocks, normalized (`10.0.0.0/8`, `::1`).
    func blocks(_ list: [(value: String, line: Int)], key: String, in t: ConfigTable) throws(ConfigError) -> [String] {
        var out: [String] = []
        for (text, line) in list {
            guard let block = IPBlock(parsing: text) else {
                throw t.error(
                    line, "invalid address or CIDR block `\(text)` in `\(key)` (e.g. 203.0.113.0/24, 2001:db8::/32; host bits must be zero)")
            }
            out.append(block.description)
        }
        return out
    }

    private func adminToken(_ t: ConfigTable) throws(ConfigError) -> String? {
        let literal = try t.string("admin_token")
        let file = try t.string("admin_token_file")
        if literal != nil && file != nil {
            throw t.error(t.line(of: "admin_token"), "set either admin_token or admin_token_file, not both")
        }
        var token: [UInt8]
        let line: Int
        if let (value, l) = literal {
            token = Array(value.utf8)
            line = l
        } else if let (name, l) = file {
            token = try readSecret(name, line: l, in: t)
            line = l
        } else {
            return nil
        }
        let limit = ConfigLimits.adminTokenBytes
        guard token.count >= limit.min, token.count <= limit.max else {
            throw t.error(line, "the admin token must be \(limit.min) to \(limit.max) bytes long")
        }
        guard token.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw t.error(line, "the admin token must be printable ASCII without spaces (it goes in an HTTP header)")
        }
        return String(decoding: token, as: UTF8.self)
    }

    func storage(_ table: ConfigTable?) throws(ConfigError) -> Config.Storage {
        var storage = Config.Storage()
        storage.dir = ConfigFiles.resolve(storage.dir, against: ConfigFiles.folder(of: file))
        guard let t = table else { return storage }
        try t.rejectUnknownKeys(Self.storageKeys)
        if let (dir, line) = try t.string("dir") {
            guard !dir.isEmpty else { throw t.error(line, "`dir` must not be empty") }
            storage.dir = ConfigFiles.resolve(dir, against: ConfigFiles.folder(of: file))
        }
        let ints: [(ConfigLimit, WritableKeyPath<Config.Storage, Int>)] = [
            (ConfigLimits.segmentBytes, \.segmentBytes), (ConfigLimits.retentionDays, \.retentionDays),
            (ConfigLimits.rejectsMaxBytes, \.rejectsMaxBytes), (ConfigLimits.maxBatchRecords, \.maxBatchRecords),
            (ConfigLimits.snapshotEveryEvents, \.snapshotEveryEvents), (ConfigLimits.rejectsSegments, \.rejectsSegments),
            (ConfigLimits.rejectsReserveBytes, \.rejectsReserveBytes), (ConfigLimits.rejectsQueueEntries, \.rejectsQueueEntries),
            (ConfigLimits.rejectsQueueBytes, \.rejectsQueueBytes),
            (ConfigLimits.rejectsClientRatePerSecond, \.rejectsClientRatePerSecond),
            (ConfigLimits.rejectsClientBurst, \.rejectsClientBurst), (ConfigLimits.rejectsClientsMax, \.rejectsClientsMax),
            (ConfigLimits.rejectsShutdownMs, \.rejectsShutdownMs),
            (ConfigLimits.ackedMarkIntervalMs, \.ackedMarkIntervalMs),
        ]
        for (limit, keyPath) in ints {
            if let n = try t.integer(limit.key, limit) { storage[keyPath: keyPath] = n }
        }
        return storage
    }
}
