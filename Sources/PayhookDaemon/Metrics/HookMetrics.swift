/// The per-hook families of `/metrics`, rendered from the drivers' own counters at scrape time
/// (the loop owns both, so no copies are kept in step). Each driver's line prefixes are
/// rendered once, when the driver is made (`HookMetrics.Lines`).
enum HookMetrics {
    static let delivered = "payhook_hook_delivered_total"
    static let failed = "payhook_hook_failed_attempts_total"
    static let parkedTotal = "payhook_hook_parked_total"
    static let parked = "payhook_hook_parked"
    static let inFlight = "payhook_hook_in_flight"
    static let lagEvents = "payhook_hook_lag_events"
    static let lagSeconds = "payhook_hook_lag_seconds"
    static let retentionHeld = "payhook_hook_retention_held_bytes"
    static let latency = "payhook_hook_delivery_seconds"

    static let headers: [String: [UInt8]] = [
        delivered: MetricsText.header(delivered, help: "Events delivered (2xx, exit 0) since start.", kind: "counter"),
        failed: MetricsText.header(
            failed,
            help:
                "Failed delivery attempts since start, by cause (connect, timeout, protocol: a malformed or oversized answer, status: a non-2xx, exit, spawn).",
            kind: "counter"),
        parkedTotal: MetricsText.header(parkedTotal, help: "Events parked since start (retry_max_age passed).", kind: "counter"),
        parked: MetricsText.header(parked, help: "Events parked now (parked and not delivered since).", kind: "gauge"),
        inFlight: MetricsText.header(inFlight, help: "Delivery attempts in flight.", kind: "gauge"),
        lagEvents: MetricsText.header(lagEvents, help: "Matching or unread events not yet delivered or parked.", kind: "gauge"),
        lagSeconds: MetricsText.header(lagSeconds, help: "Age of the oldest event accepted and not yet delivered or parked.", kind: "gauge"),
        retentionHeld: MetricsText.header(retentionHeld, help: "Bytes of old segments retention would delete but for this hook.", kind: "gauge"),
        latency: MetricsText.header(latency, help: "From an event's receive time (durable) to its delivery.", kind: "histogram"),
    ]

    /// One hook's line prefixes (`name{hook="orders"} `), rendered once per driver.
    struct Lines {
        let simple: [String: [UInt8]]
        let failed: [(HookFailureCause, [UInt8])]
        let latency: HistogramLines

        init(hook: String) {
            var simple: [String: [UInt8]] = [:]
            for name in [delivered, parkedTotal, parked, inFlight, lagEvents, lagSeconds, retentionHeld] {
                simple[name] = MetricsText.prefix(name, ["hook"], [hook])
            }
            self.simple = simple
            failed = HookFailureCause.allCases.map { ($0, MetricsText.prefix(HookMetrics.failed, ["hook", "cause"], [hook, $0.rawValue])) }
            latency = Histogram.lines(HookMetrics.latency, labelNames: ["hook"], labels: [hook])
        }
    }

    static func render(_ hooks: HookSet, to out: inout [UInt8]) {
        let drivers = hooks.drivers
        guard !drivers.isEmpty else { return }
        func family(_ name: String, _ value: (HookDriver) -> Double) {
            out += headers[name]!
            for d in drivers {
                out += d.metricLines.simple[name]!
                MetricsText.appendValue(value(d), to: &out)
            }
        }
        family(delivered) { Double($0.stats.delivered) }
        out += headers[failed]!
        for d in drivers {
            for (cause, prefix) in d.metricLines.failed {
                out += prefix
                MetricsText.appendValue(d.stats.failed[cause] ?? 0, to: &out)
            }
        }
        family(parkedTotal) { Double($0.stats.parked) }
        family(parked) { Double($0.parked.count) }
        family(inFlight) { Double($0.state.inFlight) }
        family(lagEvents) { Double($0.lagEvents) }
        family(lagSeconds) { $0.lagSeconds }
        family(retentionHeld) { Double(hooks.retentionHeld(by: $0).bytes) }
        out += headers[latency]!
        for d in drivers { d.stats.latency.append(d.metricLines.latency, to: &out) }
    }
}
