import CLinuxShim
import PayhookCore

/// The server's own counts for /metrics: answered requests by listener, protocol, route and
/// status; ingest latency; HTTP/2 streams refused and reset. Updated on the loop thread only.
///
/// A request count is one dictionary increment keyed by a packed integer (no strings on the hot
/// path); labels are built when /metrics renders.
public final class ServerStats {
    public enum WireProtocol: Int, CaseIterable, Sendable {
        case http1, h2
        public var label: String { self == .http1 ? "http1" : "h2" }
    }

    /// Seconds, Prometheus' default buckets from 0.5 ms (an fdatasync-bound answer takes ~1 ms+).
    public static let latencyBoundsNs = [
        500_000, 1_000_000, 2_500_000, 5_000_000, 10_000_000, 25_000_000, 50_000_000, 100_000_000, 250_000_000,
        500_000_000, 1_000_000_000, 2_500_000_000, 5_000_000_000, 10_000_000_000,
    ]

    /// Answered routed requests: packed key (see `key`) to count.
    private(set) var requests: [UInt64: Int] = [:]
    /// Ingest listener: last request byte received to answer written, per protocol.
    public let ingestLatency = WireProtocol.allCases.map { _ in AtomicHistogram(upperBounds: latencyBoundsNs, unitScale: 1e-9) }
    /// Per listener: streams refused (RST_STREAM REFUSED_STREAM sent), streams reset by us
    /// (other RST_STREAM sent), streams reset by the client (RST_STREAM received).
    private(set) var h2Refused: [ListenerRole: Int] = [:]
    private(set) var h2ResetSent: [ListenerRole: Int] = [:]
    private(set) var h2ResetReceived: [ListenerRole: Int] = [:]

    public init() {}

    static func key(_ role: ListenerRole, _ proto: WireProtocol, route: Int, status: Int) -> UInt64 {
        UInt64(role == .admin ? 1 : 0) | UInt64(proto.rawValue) << 1 | UInt64(UInt16(truncatingIfNeeded: route + 1)) << 8
            | UInt64(UInt16(truncatingIfNeeded: status)) << 24
    }

    /// The key answered last and how many times in a row since it was folded into `requests`:
    /// a run of one kind of answer (a status query load) counts with one compare each instead
    /// of hashing into the dictionary per request.
    private var runKey = UInt64.max
    private var runCount = 0

    func answered(_ role: ListenerRole, _ proto: WireProtocol, route: Int, status: Int) {
        let key = Self.key(role, proto, route: route, status: status)
        guard key != runKey else {
            runCount += 1
            return
        }
        foldRun()
        runKey = key
        runCount = 1
    }

    private func foldRun() {
        if runCount > 0 { requests[runKey, default: 0] += runCount }
        runCount = 0
    }

    func h2Streams(_ role: ListenerRole, refused: Int, resetSent: Int, resetReceived: Int) {
        if refused > 0 { h2Refused[role, default: 0] += refused }
        if resetSent > 0 { h2ResetSent[role, default: 0] += resetSent }
        if resetReceived > 0 { h2ResetReceived[role, default: 0] += resetReceived }
    }

    /// The request counts as labels (listener, protocol, route pattern or "unmatched", status).
    public func requestCounts(routes: [String]) -> [(labels: [String], count: Int)] {
        foldRun()
        return requests.sorted { $0.key < $1.key }.map { key, count in
            let role: ListenerRole = key & 1 == 1 ? .admin : .ingest
            let proto = WireProtocol(rawValue: Int(key >> 1 & 1))!
            let route = Int((key >> 8) & 0xFFFF) - 1
            let status = Int((key >> 24) & 0xFFFF)
            let pattern = routes.indices.contains(route) ? routes[route] : "unmatched"
            return ([role.rawValue, proto.label, pattern, String(status)], count)
        }
    }

    /// HTTP/2 stream counts per listener: (refused, reset sent, reset received).
    public func h2Counts(_ role: ListenerRole) -> (refused: Int, resetSent: Int, resetReceived: Int) {
        (h2Refused[role] ?? 0, h2ResetSent[role] ?? 0, h2ResetReceived[role] ?? 0)
    }

    static func nowNs() -> Int { Int(cshim_monotonic_ns()) }
}
