import Testing

@testable import PayhookDaemon

@Suite struct HistogramTests {
    @Test("buckets are cumulative, a bound is inclusive, +Inf counts everything, sum and count follow")
    func cumulative() {
        var h = Histogram()
        h.observe(0.001)  // on the first bound: inside it
        h.observe(0.0011)
        h.observe(7200)  // past the last bound: only +Inf
        let text = h.samples("x_seconds", hook: "a")
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.first == "x_seconds_bucket{hook=\"a\",le=\"0.001\"} 1")
        #expect(lines.contains("x_seconds_bucket{hook=\"a\",le=\"0.0025\"} 2"))
        #expect(lines.contains("x_seconds_bucket{hook=\"a\",le=\"3600.0\"} 2"))
        #expect(lines.contains("x_seconds_bucket{hook=\"a\",le=\"+Inf\"} 3"))
        #expect(lines.contains("x_seconds_count{hook=\"a\"} 3"))
        #expect(lines.count == Histogram.bounds.count + 3)
    }
}
