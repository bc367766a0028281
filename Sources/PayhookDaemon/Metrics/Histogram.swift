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

    /// The line prefixes of `name` for one label set (`hook`), rendered once by the caller:
    /// bounds as Swift prints them (`le="3600.0"`).
    static func lines(_ name: String, labelNames: [String], labels: [String]) -> HistogramLines {
        HistogramLines(name, labelNames, labels, bounds: bounds) { "\($0)" }
    }

    /// Appends the `_bucket`, `_sum` and `_count` samples, without HELP/TYPE.
    func append(_ lines: HistogramLines, to out: inout [UInt8]) {
        var cumulative: [UInt64] = []
        cumulative.reserveCapacity(counts.count)
        for n in counts { cumulative.append((cumulative.last ?? 0) + n) }
        lines.append(cumulative: cumulative, total: count, sum: sum, to: &out)
    }

    /// The samples of `name` for one `hook` as text (tests).
    func samples(_ name: String, hook: String) -> String {
        var out: [UInt8] = []
        append(Self.lines(name, labelNames: ["hook"], labels: [hook]), to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
