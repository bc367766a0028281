import Testing

@testable import PayhookDaemon

@Suite struct ServerStatsTests {
    private func counts(_ stats: ServerStats) -> [String: Int] {
        var out: [String: Int] = [:]
        for (labels, count) in stats.requestCounts(routes: ["/a", "/b"]) { out[labels.joined(separator: " ")] = count }
        return out
    }

    @Test("request counts are exact whether answers come in runs of one kind or interleaved, and across renders mid-run")
    func runsAndInterleaving() {
        let stats = ServerStats()
        for (route, status) in [(0, 200), (0, 200), (1, 404), (0, 200), (0, 200), (0, 200), (-1, 404)] {
            stats.answered(.admin, .http1, route: route, status: status)
        }
        #expect(counts(stats) == ["admin http1 /a 200": 5, "admin http1 /b 404": 1, "admin http1 unmatched 404": 1])
        // A render in the middle of a run folds it; the run goes on counting from there.
        stats.answered(.admin, .http1, route: -1, status: 404)
        #expect(counts(stats)["admin http1 unmatched 404"] == 2)
        stats.answered(.admin, .http1, route: -1, status: 404)
        stats.answered(.ingest, .h2, route: 1, status: 200)
        #expect(counts(stats)["admin http1 unmatched 404"] == 3)
        #expect(counts(stats)["ingest h2 /b 200"] == 1)
        #expect(counts(stats).values.reduce(0, +) == 10)
    }
}
