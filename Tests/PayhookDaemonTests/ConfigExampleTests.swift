import Testing

@testable import PayhookDaemon

/// config/payhookd.toml documents every key: present (or commented out) in its section, with a
/// comment, the default value and the allowed range.
@Suite struct ConfigExampleTests {
    typealias S = ConfigTestSupport

    /// Section name (`server`, `storage`, `sources`, `hooks`) → that section's lines.
    static func sections() -> [String: [Substring]] {
        var out: [String: [Substring]] = [:]
        var current = ""
        for line in S.read(S.repoRoot + "/config/payhookd.toml").split(separator: "\n") {
            if line.hasPrefix("[") {
                current = String(line.drop { $0 == "[" }.prefix { $0 != "]" && $0 != "." })
            }
            out[current, default: []].append(line)
        }
        return out
    }

    @Test("every known key appears in its section of the example, each with a comment")
    func everyKeyDocumented() {
        let sections = Self.sections()
        let known: [(String, [String])] = [
            ("server", ConfigDecoder.serverKeys), ("storage", ConfigDecoder.storageKeys),
            ("sources", ConfigDecoder.sourceKeys), ("hooks", ConfigDecoder.hookKeys),
        ]
        for (section, keys) in known {
            let lines = sections[section] ?? []
            #expect(!lines.isEmpty, "section \(section)")
            for key in keys {
                let line = lines.first { l in
                    l.hasPrefix("\(key) = ") || l.hasPrefix("# \(key) = ") || l.hasPrefix("# [sources.\(key)]")
                }
                #expect(line != nil, "\(section).\(key) is not in config/payhookd.toml")
                #expect(line?.contains(" # ") == true || line?.hasPrefix("# [") == true, "\(section).\(key) has no comment")
            }
        }
    }

    @Test("each integer key of the example shows the model's default and its range", arguments: ConfigLimits.integerKeys)
    func defaultsAndRanges(_ limit: ConfigLimit) throws {
        let lines = Self.sections()[limit.section] ?? []
        let line = try #require(lines.first { $0.hasPrefix("\(limit.key) = ") }, "\(limit.key)")
        let value = line.dropFirst("\(limit.key) = ".count).prefix { $0 != " " }
        let defaults: [String: Int] = [
            "max_connections": Config.Server().maxConnections, "admin_reserve_connections": Config.Server().adminReserveConnections,
            "max_body_bytes": Config.Server().maxBodyBytes, "max_request_line_bytes": Config.Server().maxRequestLineBytes,
            "max_header_bytes": Config.Server().maxHeaderBytes, "max_header_count": Config.Server().maxHeaderCount,
            "header_timeout_ms": Config.Server().headerTimeoutMs, "body_timeout_ms": Config.Server().bodyTimeoutMs,
            "idle_timeout_ms": Config.Server().idleTimeoutMs, "shutdown_timeout_ms": Config.Server().shutdownTimeoutMs,
            "send_timeout_ms": Config.Server().sendTimeoutMs, "max_pipelined_requests": Config.Server().maxPipelinedRequests,
            "max_events_page": Config.Server().maxEventsPage,
            "max_trailer_bytes": Config.Server().maxTrailerBytes, "max_chunk_extension_bytes": Config.Server().maxChunkExtensionBytes,
            "max_long_poll_seconds": Config.Server().maxLongPollSeconds,
            "max_admin_connections": Config.Server().maxAdminConnections,
            "admin_unauthenticated_timeout_ms": Config.Server().adminUnauthenticatedTimeoutMs,
            "max_long_poll_waiters": Config.Server().maxLongPollWaiters,
            "h2_max_concurrent_streams": Config.Server().h2MaxConcurrentStreams,
            "h2_max_header_list_bytes": Config.Server().h2MaxHeaderListBytes,
            "h2_connection_window_bytes": Config.Server().h2ConnectionWindowBytes,
            "h2_stream_window_bytes": Config.Server().h2StreamWindowBytes,
            "h2_max_resets_per_second": Config.Server().h2MaxResetsPerSecond,
            "h2_max_control_frames_per_second": Config.Server().h2MaxControlFramesPerSecond,
            "segment_bytes": Config.Storage().segmentBytes, "retention_days": Config.Storage().retentionDays,
            "rejects_max_bytes": Config.Storage().rejectsMaxBytes, "max_batch_records": Config.Storage().maxBatchRecords,
            "snapshot_every_events": Config.Storage().snapshotEveryEvents,
            "log_queue_bytes": Config.Server().logQueueBytes, "log_repeat_window_ms": Config.Server().logRepeatWindowMs,
            "rejects_segments": Config.Storage().rejectsSegments, "rejects_reserve_bytes": Config.Storage().rejectsReserveBytes,
            "rejects_queue_entries": Config.Storage().rejectsQueueEntries, "rejects_queue_bytes": Config.Storage().rejectsQueueBytes,
            "rejects_client_rate_per_second": Config.Storage().rejectsClientRatePerSecond,
            "rejects_client_burst": Config.Storage().rejectsClientBurst, "rejects_clients_max": Config.Storage().rejectsClientsMax,
            "rejects_shutdown_ms": Config.Storage().rejectsShutdownMs,
            "acked_mark_interval_ms": Config.Storage().ackedMarkIntervalMs,
            "timeout_ms": Config.Hook(name: "h", target: .url("")).timeoutMs,
            "max_in_flight": Config.Hook(name: "h", target: .url("")).maxInFlight,
        ]
        #expect(Int(value) == defaults[limit.key], "\(limit.key) default")
        #expect(line.contains("(\(limit.min)...\(limit.max)"), "\(limit.key) range")
    }
}
