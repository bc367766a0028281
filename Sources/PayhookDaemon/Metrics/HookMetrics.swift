/// The per-hook families of `/metrics`, rendered from the drivers' own counters at scrape time
/// (the loop owns both, so no copies are kept in step).
enum HookMetrics {
    static func render(_ hooks: HookSet) -> String {
        let drivers = hooks.drivers
        guard !drivers.isEmpty else { return "" }
        var out = ""
        func family(_ name: String, _ kind: String, _ help: String, _ samples: (HookDriver) -> String) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(kind)\n"
            for d in drivers { out += samples(d) }
        }
        func label(_ d: HookDriver) -> String { "hook=\"\(escape(d.name))\"" }
        family("payhook_hook_delivered_total", "counter", "Events delivered (2xx, exit 0) since start.") {
            "payhook_hook_delivered_total{\(label($0))} \($0.stats.delivered)\n"
        }
        family(
            "payhook_hook_failed_attempts_total", "counter",
            "Failed delivery attempts since start, by cause (connect, timeout, protocol: a malformed or oversized answer, status: a non-2xx, exit, spawn)."
        ) { d in
            HookFailureCause.allCases.map { "payhook_hook_failed_attempts_total{\(label(d)),cause=\"\($0.rawValue)\"} \(d.stats.failed[$0] ?? 0)\n" }
                .joined()
        }
        family("payhook_hook_parked_total", "counter", "Events parked since start (retry_max_age passed).") {
            "payhook_hook_parked_total{\(label($0))} \($0.stats.parked)\n"
        }
        family("payhook_hook_parked", "gauge", "Events parked now (parked and not delivered since).") {
            "payhook_hook_parked{\(label($0))} \($0.parked.count)\n"
        }
        family("payhook_hook_in_flight", "gauge", "Delivery attempts in flight.") { "payhook_hook_in_flight{\(label($0))} \($0.state.inFlight)\n" }
        family("payhook_hook_lag_events", "gauge", "Matching or unread events not yet delivered or parked.") {
            "payhook_hook_lag_events{\(label($0))} \($0.lagEvents)\n"
        }
        family("payhook_hook_lag_seconds", "gauge", "Age of the oldest event accepted and not yet delivered or parked.") {
            "payhook_hook_lag_seconds{\(label($0))} \($0.lagSeconds)\n"
        }
        family("payhook_hook_retention_held_bytes", "gauge", "Bytes of old segments retention would delete but for this hook.") {
            "payhook_hook_retention_held_bytes{\(label($0))} \(hooks.retentionHeld(by: $0).bytes)\n"
        }
        family("payhook_hook_delivery_seconds", "histogram", "From an event's receive time (durable) to its delivery.") {
            $0.stats.latency.samples("payhook_hook_delivery_seconds", labels: label($0))
        }
        return out
    }

    private static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }
}
