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
        /// Minute number (unix ms / 60000) each slot counts, and its 4 counts (slot * 4 + result).
        var stamps = [Int64](repeating: -1, count: IngestActivity.minutes)
        var counts = [Int](repeating: 0, count: IngestActivity.minutes * 4)

        mutating func add(_ result: Result, _ n: Int, minute: Int64) {
            let slot = Int(minute % Int64(IngestActivity.minutes))
            if stamps[slot] != minute {
                stamps[slot] = minute
                for r in 0..<4 { counts[slot * 4 + r] = 0 }
            }
            counts[slot * 4 + result.rawValue] += n
        }
    }
    private var rings: [String: Ring] = [:]

    /// Sources seen, sorted.
    var sources: [String] { rings.keys.sorted() }

    /// Counted on the ingest path: one dictionary access, updated in place.
    mutating func count(source: String, _ result: Result, by n: Int = 1, atMs nowMs: Int64) {
        rings[source, default: Ring()].add(result, n, minute: nowMs / 60_000)
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
            for r in 0..<4 { out[bucket][r] += ring.counts[slot * 4 + r] }
        }
        return out
    }

    /// Totals over the last `minutes` minutes (this one included).
    func total(source: String, minutes: Int, atMs nowMs: Int64) -> [Int] {
        series(source: source, buckets: 1, spanMinutes: minutes, atMs: nowMs)[0]
    }
}
