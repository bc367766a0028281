/// Token buckets per (source, client) in a bounded table: each pair keeps `burst` rejects in a
/// row, then `ratePerSecond`. A flood from one client is sampled while rare rejects from
/// elsewhere are all kept. Past `maxKeys` pairs (after sweeping the idle ones, at most once a
/// second) new pairs share one overflow bucket, so spreading a flood over many addresses buys
/// nothing either.
struct RejectSampler {
    struct Key: Hashable {
        var source: String
        var client: String
    }
    private struct Bucket {
        var tokens: Double
        var lastMs: Int64
    }

    let ratePerSecond: Double
    let burst: Double
    let maxKeys: Int
    private var buckets: [Key: Bucket] = [:]
    private var overflow: Bucket
    private var lastSweepMs: Int64?

    init(ratePerSecond: Int, burst: Int, maxKeys: Int) {
        self.ratePerSecond = Double(ratePerSecond)
        self.burst = Double(burst)
        self.maxKeys = maxKeys
        overflow = Bucket(tokens: Double(burst), lastMs: .min)
    }

    var keyCount: Int { buckets.count }

    /// Whether a reject from `key` at `nowMs` is kept (takes a token).
    mutating func allow(_ key: Key, nowMs: Int64) -> Bool {
        if var bucket = buckets[key] {
            let kept = take(&bucket, nowMs)
            buckets[key] = bucket
            return kept
        }
        if buckets.count >= maxKeys { sweep(nowMs) }
        guard buckets.count < maxKeys else { return take(&overflow, nowMs) }
        var bucket = Bucket(tokens: burst, lastMs: nowMs)
        let kept = take(&bucket, nowMs)
        buckets[key] = bucket
        return kept
    }

    private func refill(_ b: Bucket, _ nowMs: Int64) -> Double {
        guard b.lastMs != .min else { return burst }
        return min(burst, b.tokens + Double(max(0, nowMs - b.lastMs)) * ratePerSecond / 1000)
    }

    private func take(_ b: inout Bucket, _ nowMs: Int64) -> Bool {
        b.tokens = refill(b, nowMs)
        b.lastMs = nowMs
        guard b.tokens >= 1 else { return false }
        b.tokens -= 1
        return true
    }

    /// Forgets pairs whose bucket is full again (they would start afresh anyway). O(maxKeys),
    /// at most once a second, so O(1) per reject on average.
    private mutating func sweep(_ nowMs: Int64) {
        if let last = lastSweepMs, nowMs - last < 1000 { return }
        lastSweepMs = nowMs
        buckets = buckets.filter { refill($0.value, nowMs) < burst }
    }
}
