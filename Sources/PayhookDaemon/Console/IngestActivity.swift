/// Per source, what ingest answered in each of the last 1440 minutes (accepted, quarantined,
/// duplicate, rejected), for the console's hour and day counts and rate charts. Fed from the
/// same increments as `payhook_ingest_total` and `payhook_ingest_rejected_total`
/// (`Metrics.onAdd`), so while payhookd has run less than an hour the hour counts equal those
/// counters. Loop thread only; a fixed ring per source (1440 x 4 counters).
struct IngestActivity {
    enum Result: Int, CaseIterable {
        case accepted, quarantined, duplicate, rejected
        var name: String { String(describing: self) }
    }
    static let minutes = 1440

    private struct Ring {
        /// Minute number (unix ms / 60000) each slot counts, and its counts.
        var stamps = [Int64](repeating: -1, count: IngestActivity.minutes)
        var counts = [[Int]](repeating: [0, 0, 0, 0], count: IngestActivity.minutes)
    }
    private var rings: [String: Ring] = [:]

    /// Sources seen, sorted.
    var sources: [String] { rings.keys.sorted() }

    mutating func count(source: String, _ result: Result, by n: Int = 1, atMs nowMs: Int64) {
        let minute = nowMs / 60_000
        let slot = Int(minute % Int64(Self.minutes))
        var ring = rings.removeValue(forKey: source) ?? Ring()
        if ring.stamps[slot] != minute {
            ring.stamps[slot] = minute
            ring.counts[slot] = [0, 0, 0, 0]
        }
        ring.counts[slot][result.rawValue] += n
        rings[source] = ring
    }

    /// Counts of the `buckets` spans of `spanMinutes` minutes ending with the current minute,
    /// oldest first; each is [accepted, quarantined, duplicate, rejected].
    func series(source: String, buckets: Int, spanMinutes: Int, atMs nowMs: Int64) -> [[Int]] {
        var out = [[Int]](repeating: [0, 0, 0, 0], count: buckets)
        guard let ring = rings[source] else { return out }
        let now = nowMs / 60_000
        for slot in 0..<Self.minutes {
            let age = Int(now - ring.stamps[slot])
            guard ring.stamps[slot] >= 0, age >= 0, age < buckets * spanMinutes else { continue }
            let bucket = buckets - 1 - age / spanMinutes
            for r in 0..<4 { out[bucket][r] += ring.counts[slot][r] }
        }
        return out
    }

    /// Totals over the last `minutes` minutes (this one included).
    func total(source: String, minutes: Int, atMs nowMs: Int64) -> [Int] {
        series(source: source, buckets: 1, spanMinutes: minutes, atMs: nowMs)[0]
    }
}
