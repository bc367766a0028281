import Testing

@testable import PayhookDaemon

@Suite struct MetricsTests {
    @Test("families render as Prometheus text 0.0.4 with HELP, TYPE and escaped labels")
    func render() {
        let m = Metrics()
        m.declare("payhook_ingest_total", .counter, help: "Callbacks stored.", labels: ["source", "result"])
        m.declare("payhook_ready", .gauge, help: "1 when the log takes writes.")
        m.add("payhook_ingest_total", ["noventiq", "accepted"])
        m.add("payhook_ingest_total", ["noventiq", "accepted"])
        m.add("payhook_ingest_total", ["a\"b", "rejected"], by: 3)
        m.set("payhook_ready", to: 1)
        #expect(
            m.render() == """
                # HELP payhook_ingest_total Callbacks stored.
                # TYPE payhook_ingest_total counter
                payhook_ingest_total{source="noventiq",result="accepted"} 2
                payhook_ingest_total{source="a\\"b",result="rejected"} 3
                # HELP payhook_ready 1 when the log takes writes.
                # TYPE payhook_ready gauge
                payhook_ready 1

                """)
        #expect(m.value("payhook_ingest_total", ["noventiq", "accepted"]) == 2)
    }

    @Test("an unlabelled family with no sample still renders a zero")
    func emptyFamily() {
        let m = Metrics()
        m.declare("payhook_fsync_errors_total", .counter, help: "fdatasync failures.")
        #expect(m.render().hasSuffix("payhook_fsync_errors_total 0\n"))
    }
}
