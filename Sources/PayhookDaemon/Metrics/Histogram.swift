/// A Prometheus histogram of seconds with fixed buckets (cumulative on output).
struct Histogram {
    /// Upper bounds in seconds: from a fast local receiver (1 ms) to retries that took an hour.
    static let bounds: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600]
    private(set) var counts = [UInt64](repeating: 0, count: Histogram.bounds.count)
    private(set) var count: UInt64 = 0
    private(set) var sum: Double = 0

    mutating func observe(_ seconds: Double) {
        if let i = Self.bounds.firstIndex(where: { seconds <= $0 }) { counts[i] += 1 }
        count += 1
        sum += seconds
    }

    /// The `_bucket`, `_sum` and `_count` samples of `name` with `labels` (already rendered,
    /// `hook="orders"`), without HELP/TYPE.
    func samples(_ name: String, labels: String) -> String {
        var out = ""
        var cumulative: UInt64 = 0
        for (bound, n) in zip(Self.bounds, counts) {
            cumulative += n
            out += "\(name)_bucket{\(labels),le=\"\(bound)\"} \(cumulative)\n"
        }
        out += "\(name)_bucket{\(labels),le=\"+Inf\"} \(count)\n"
        out += "\(name)_sum{\(labels)} \(sum)\n\(name)_count{\(labels)} \(count)\n"
        return out
    }
}
