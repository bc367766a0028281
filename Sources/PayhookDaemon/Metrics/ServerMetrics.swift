import PayhookLog
import PayhookStore

/// The families of the HTTP server and the log writer's commit timing (see README, Metrics),
/// copied from `ServerStats`, the connection table and the writer's atomics at render time.
enum ServerMetrics {
    static let requests = "payhook_http_requests_total"
    static let ingestLatency = "payhook_ingest_latency_seconds"
    static let connections = "payhook_open_connections"
    static let h2Refused = "payhook_h2_streams_refused_total"
    static let h2Reset = "payhook_h2_streams_reset_total"
    static let batchRecords = "payhook_log_fsync_batch_records"
    static let fdatasyncTime = "payhook_log_fdatasync_seconds"
    static let buildInfo = "payhook_build_info"

    static func declare(_ m: Metrics) {
        m.declare(buildInfo, .gauge, help: "Always 1; the version in a label.", labels: ["version"])
        m.declare(
            requests, .counter, help: "Routed requests answered, by listener, protocol, route pattern and status.",
            labels: ["listener", "protocol", "route", "status"])
        m.declare(
            ingestLatency, .histogram, help: "Ingest listener: last request byte received to the answer written.", labels: ["protocol"])
        m.declare(connections, .gauge, help: "Open client connections.", labels: ["listener", "protocol"])
        m.declare(h2Refused, .counter, help: "HTTP/2 streams refused with RST_STREAM(REFUSED_STREAM).", labels: ["listener"])
        m.declare(h2Reset, .counter, help: "HTTP/2 streams reset (other RST_STREAM), by who sent it.", labels: ["listener", "by"])
        m.declare(batchRecords, .histogram, help: "Records made durable per group-commit fdatasync.")
        m.declare(fdatasyncTime, .histogram, help: "Time of the log writer's group-commit fdatasync.")
        m.set(buildInfo, [Daemon.version], to: 1)
    }

    static func export(_ m: Metrics, server: Server, writer: LogWriter) {
        for (labels, count) in server.stats.requestCounts(routes: server.router.patterns) {
            m.set(requests, labels, to: Double(count))
        }
        for proto in ServerStats.WireProtocol.allCases {
            m.set(ingestLatency, [proto.label], histogram: server.stats.ingestLatency[proto.rawValue].snapshot())
        }
        for role in ListenerRole.allCases {
            for proto in ServerStats.WireProtocol.allCases {
                m.set(connections, [role.rawValue, proto.label], to: Double(server.openConnections(role, proto)))
            }
            let h2 = server.stats.h2Counts(role)
            m.set(h2Refused, [role.rawValue], to: Double(h2.refused))
            m.set(h2Reset, [role.rawValue, "server"], to: Double(h2.resetSent))
            m.set(h2Reset, [role.rawValue, "client"], to: Double(h2.resetReceived))
        }
        m.set(batchRecords, histogram: writer.batchRecords.snapshot())
        m.set(fdatasyncTime, histogram: writer.fdatasyncTime.snapshot())
    }
}
