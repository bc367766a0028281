import Testing

@testable import PayhookDaemon

/// Every numeric limit: its min and max load (N), one past either end fails with the range error.
@Suite struct ConfigLimitTests {
    typealias S = ConfigTestSupport

    /// A config with `key = value` in the limit's section; other keys keep cross-checks satisfied.
    static func config(_ limit: ConfigLimit, _ value: Int) -> String {
        let line = "\(limit.key) = \(value)"
        switch limit.section {
        case "server":
            // admin_reserve_connections must stay below max_connections.
            let context = limit.key == "max_connections" ? "admin_reserve_connections = 1\n" : "max_connections = 1000000\n"
            return "[server]\n" + context + line + "\n" + S.nonstopaySource
        case "storage":
            return "[storage]\n\n" + line + "\n" + S.nonstopaySource
        default:
            return S.nonstopaySource + "\n[[hooks]]\nname = \"h\"\ncommand = [\"/bin/true\"]\n" + line
        }
    }

    /// The line `key = value` lands on in `config(_:_:)`.
    static func line(_ limit: ConfigLimit) -> Int { limit.section == "hooks" ? 10 : 3 }

    @Test("each integer limit accepts min and max and refuses min-1 and max+1", arguments: ConfigLimits.integerKeys)
    func integerLimit(_ limit: ConfigLimit) throws {
        for ok in [limit.min, limit.max] {
            let result = S.load(Self.config(limit, ok))
            #expect(throws: Never.self, "\(limit.key) = \(ok)") { try result.get() }
        }
        for bad in [limit.min - 1, limit.max + 1] {
            #expect(
                S.loadError(Self.config(limit, bad)) == "F:\(Self.line(limit)): `\(limit.key)` = \(bad) is out of range (\(limit.min)...\(limit.max))"
            )
        }
    }

    @Test("the loaded value is the one written, at both ends of every range", arguments: ConfigLimits.integerKeys)
    func valueLands(_ limit: ConfigLimit) throws {
        for value in [limit.min, limit.max] {
            let config = try S.load(Self.config(limit, value)).get()
            let loaded: Int? =
                switch limit.key {
                case "max_connections": config.server.maxConnections
                case "admin_reserve_connections": config.server.adminReserveConnections
                case "max_body_bytes": config.server.maxBodyBytes
                case "max_request_line_bytes": config.server.maxRequestLineBytes
                case "max_header_bytes": config.server.maxHeaderBytes
                case "max_header_count": config.server.maxHeaderCount
                case "header_timeout_ms": config.server.headerTimeoutMs
                case "body_timeout_ms": config.server.bodyTimeoutMs
                case "idle_timeout_ms": config.server.idleTimeoutMs
                case "shutdown_timeout_ms": config.server.shutdownTimeoutMs
                case "send_timeout_ms": config.server.sendTimeoutMs
                case "max_pipelined_requests": config.server.maxPipelinedRequests
                case "max_events_page": config.server.maxEventsPage
                case "max_trailer_bytes": config.server.maxTrailerBytes
                case "max_chunk_extension_bytes": config.server.maxChunkExtensionBytes
                case "max_long_poll_seconds": config.server.maxLongPollSeconds
                case "max_admin_connections": config.server.maxAdminConnections
                case "admin_unauthenticated_timeout_ms": config.server.adminUnauthenticatedTimeoutMs
                case "max_long_poll_waiters": config.server.maxLongPollWaiters
                case "h2_max_concurrent_streams": config.server.h2MaxConcurrentStreams
                case "h2_max_header_list_bytes": config.server.h2MaxHeaderListBytes
                case "h2_connection_window_bytes": config.server.h2ConnectionWindowBytes
                case "h2_stream_window_bytes": config.server.h2StreamWindowBytes
                case "h2_max_resets_per_second": config.server.h2MaxResetsPerSecond
                case "h2_max_control_frames_per_second": config.server.h2MaxControlFramesPerSecond
                case "segment_bytes": config.storage.segmentBytes
                case "retention_days": config.storage.retentionDays
                case "rejects_max_bytes": config.storage.rejectsMaxBytes
                case "max_batch_records": config.storage.maxBatchRecords
                case "log_queue_bytes": config.server.logQueueBytes
                case "log_repeat_window_ms": config.server.logRepeatWindowMs
                case "rejects_segments": config.storage.rejectsSegments
                case "rejects_reserve_bytes": config.storage.rejectsReserveBytes
                case "rejects_queue_entries": config.storage.rejectsQueueEntries
                case "rejects_queue_bytes": config.storage.rejectsQueueBytes
                case "rejects_client_rate_per_second": config.storage.rejectsClientRatePerSecond
                case "rejects_client_burst": config.storage.rejectsClientBurst
                case "rejects_clients_max": config.storage.rejectsClientsMax
                case "rejects_shutdown_ms": config.storage.rejectsShutdownMs
                case "snapshot_every_events": config.storage.snapshotEveryEvents
                case "acked_mark_interval_ms": config.storage.ackedMarkIntervalMs
                case "timeout_ms": config.hooks.first?.timeoutMs
                case "max_in_flight": config.hooks.first?.maxInFlight
                default: nil
                }
            #expect(loaded == value, "\(limit.key)")
        }
    }

    @Test("every default in Config.swift lies inside its range")
    func defaultsInRange() {
        let server = Config.Server()
        let storage = Config.Storage()
        let hook = Config.Hook(name: "h", target: .command(["/bin/true"]))
        let defaults: [(ConfigLimit, Int)] = [
            (ConfigLimits.maxConnections, server.maxConnections), (ConfigLimits.adminReserveConnections, server.adminReserveConnections),
            (ConfigLimits.maxBodyBytes, server.maxBodyBytes), (ConfigLimits.maxRequestLineBytes, server.maxRequestLineBytes),
            (ConfigLimits.maxHeaderBytes, server.maxHeaderBytes), (ConfigLimits.maxHeaderCount, server.maxHeaderCount),
            (ConfigLimits.headerTimeoutMs, server.headerTimeoutMs), (ConfigLimits.bodyTimeoutMs, server.bodyTimeoutMs),
            (ConfigLimits.idleTimeoutMs, server.idleTimeoutMs), (ConfigLimits.shutdownTimeoutMs, server.shutdownTimeoutMs),
            (ConfigLimits.sendTimeoutMs, server.sendTimeoutMs), (ConfigLimits.maxPipelinedRequests, server.maxPipelinedRequests),
            (ConfigLimits.maxEventsPage, server.maxEventsPage),
            (ConfigLimits.maxTrailerBytes, server.maxTrailerBytes), (ConfigLimits.maxChunkExtensionBytes, server.maxChunkExtensionBytes),
            (ConfigLimits.maxLongPollSeconds, server.maxLongPollSeconds),
            (ConfigLimits.maxAdminConnections, server.maxAdminConnections),
            (ConfigLimits.adminUnauthenticatedTimeoutMs, server.adminUnauthenticatedTimeoutMs),
            (ConfigLimits.maxLongPollWaiters, server.maxLongPollWaiters),
            (ConfigLimits.h2MaxConcurrentStreams, server.h2MaxConcurrentStreams),
            (ConfigLimits.h2MaxHeaderListBytes, server.h2MaxHeaderListBytes),
            (ConfigLimits.h2ConnectionWindowBytes, server.h2ConnectionWindowBytes),
            (ConfigLimits.h2StreamWindowBytes, server.h2StreamWindowBytes),
            (ConfigLimits.h2MaxResetsPerSecond, server.h2MaxResetsPerSecond),
            (ConfigLimits.h2MaxControlFramesPerSecond, server.h2MaxControlFramesPerSecond),
            (ConfigLimits.segmentBytes, storage.segmentBytes), (ConfigLimits.retentionDays, storage.retentionDays),
            (ConfigLimits.ackedMarkIntervalMs, storage.ackedMarkIntervalMs),
            (ConfigLimits.rejectsMaxBytes, storage.rejectsMaxBytes), (ConfigLimits.maxBatchRecords, storage.maxBatchRecords),
            (ConfigLimits.snapshotEveryEvents, storage.snapshotEveryEvents), (ConfigLimits.hookTimeoutMs, hook.timeoutMs),
            (ConfigLimits.maxInFlight, hook.maxInFlight), (ConfigLimits.retryMaxAgeMs, Int(hook.retryMaxAgeMs)),
            (ConfigLimits.logQueueBytes, server.logQueueBytes), (ConfigLimits.logRepeatWindowMs, server.logRepeatWindowMs),
            (ConfigLimits.rejectsSegments, storage.rejectsSegments), (ConfigLimits.rejectsReserveBytes, storage.rejectsReserveBytes),
            (ConfigLimits.rejectsQueueEntries, storage.rejectsQueueEntries), (ConfigLimits.rejectsQueueBytes, storage.rejectsQueueBytes),
            (ConfigLimits.rejectsClientRatePerSecond, storage.rejectsClientRatePerSecond),
            (ConfigLimits.rejectsClientBurst, storage.rejectsClientBurst), (ConfigLimits.rejectsClientsMax, storage.rejectsClientsMax),
            (ConfigLimits.rejectsShutdownMs, storage.rejectsShutdownMs),
        ]
        #expect(defaults.count == ConfigLimits.integerKeys.count + 1)
        for (limit, value) in defaults {
            #expect((limit.min...limit.max).contains(value), "\(limit)")
        }
    }

    @Test("retry_max_age: 1s and 30d load; 999ms and 30d+1ms are out of range")
    func retryMaxAge() throws {
        func hook(_ age: String) -> String {
            S.nonstopaySource + "\n[[hooks]]\nname = \"h\"\ncommand = [\"/bin/true\"]\nretry_max_age = \"\(age)\""
        }
        #expect(try S.load(hook("1s")).get().hooks[0].retryMaxAgeMs == 1000)
        #expect(try S.load(hook("30d")).get().hooks[0].retryMaxAgeMs == 2_592_000_000)
        #expect(S.loadError(hook("999ms")) == "F:10: retry_max_age `999ms` is out of range (1s...30d)")
        #expect(S.loadError(hook("2592000001ms")) == "F:10: retry_max_age `2592000001ms` is out of range (1s...30d)")
    }

    @Test("admin token: 16 and 4096 bytes load; 15 and 4097 are refused")
    func adminTokenLength() throws {
        func server(_ n: Int) -> String { "[server]\nadmin_token = \"\(String(repeating: "t", count: n))\"\n" + S.nonstopaySource }
        #expect(try S.load(server(16)).get().server.adminToken?.utf8.count == 16)
        #expect(try S.load(server(4096)).get().server.adminToken?.utf8.count == 4096)
        for n in [15, 4097] {
            #expect(S.loadError(server(n)) == "F:2: the admin token must be 16 to 4096 bytes long")
        }
    }

    @Test("names: 64 bytes load; 65 are refused")
    func nameLength() throws {
        func named(_ n: Int) -> String { S.nonstopaySource.replacingOccurrences("name = \"pay\"", "name = \"\(String(repeating: "n", count: n))\"") }
        #expect(try S.load(named(64)).get().sources[0].name.utf8.count == 64)
        #expect(S.loadError(named(65)) == "F:2: source name must be 1 to 64 bytes long")
    }

    @Test("secret files of maxSecretFileBytes load; one byte more is refused")
    func secretFileSize() throws {
        let limit = ConfigLoadLimits().maxSecretFileBytes
        #expect(limit == 65_536)
        let text = S.nonstopaySource.replacingSecret(with: "secret_file = \"k\"")
        let exact = String(repeating: "k", count: limit)
        #expect(try S.load(text, extraFiles: ["k": exact]).get().sources[0].secrets[0].count == limit)
        let message = S.loadError(text, extraFiles: ["k": exact + "k"])
        #expect(message?.hasPrefix("F:6: cannot read secret file `k` (tried `") == true)
        #expect(message?.hasSuffix("/k`): larger than 65536 bytes") == true)
        // Configurable: a smaller bound applies the same way.
        let path = S.configFile(text, extraFiles: ["k": "12345"])
        defer { S.removeTree(ConfigFiles.folder(of: path)) }
        _ = try Config.load(path: path, environment: [:], limits: ConfigLoadLimits(maxSecretFileBytes: 5))
        #expect(throws: ConfigError.self) { try Config.load(path: path, environment: [:], limits: ConfigLoadLimits(maxSecretFileBytes: 4)) }
    }
}

extension String {
    func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        components(separatedBy: target).joined(separator: replacement)
    }
}
