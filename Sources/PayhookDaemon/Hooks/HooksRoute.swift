import PayhookCore
import PayhookHooks

/// `GET /v1/hooks`: each hook's progress (design.md's fields plus kind, target without
/// secrets, state, cursor, lag, in flight, failed attempts and the last error with its time).
final class HooksRoute {
    let hooks: HookSet

    init(hooks: HookSet) { self.hooks = hooks }

    func install(into router: inout Router) {
        router.add(["GET", "HEAD"], "/v1/hooks", on: [.admin]) { [self] _, responder in
            responder.respond(Response(status: 200, headers: [("Content-Type", "application/json")], body: list()))
        }
        installOperator(into: &router)
    }

    func list() -> [UInt8] {
        var w = JSONWriter(reservingCapacity: 512 * max(1, hooks.drivers.count))
        w.beginObject()
        w.key("hooks")
        w.beginArray()
        for d in hooks.drivers { write(d, into: &w) }
        w.endArray()
        w.endObject()
        return w.bytes
    }

    private func write(_ d: HookDriver, into w: inout JSONWriter) {
        w.beginObject()
        w.key("name")
        w.string(d.name)
        w.key("kind")
        w.string(d.nats != nil ? "nats" : d.target == nil ? "command" : "http")
        w.key("target")
        // A command's arguments may carry tokens: only the program is shown.
        if case .command(let argv) = d.hook.target {
            w.string(argv[0])
        } else if case .nats(let urls) = d.hook.target {
            // The stream, then the servers, without any user:password@ a url may carry.
            let shown = urls.map { url in
                guard let at = url.firstIndex(of: "@"), let scheme = url.firstRange(of: "://") else { return url }
                return String(url[..<scheme.upperBound]) + String(url[url.index(after: at)...])
            }
            w.string("\(d.hook.nats.stream) @ " + shown.joined(separator: ","))
        } else {
            w.string(d.target?.description ?? "")
        }
        w.key("state")
        w.string(d.state.paused ? "paused" : d.stats.lastError != nil && d.state.heldCount > 0 ? "retrying" : "running")
        let cursor = d.state.cursor
        w.key("delivered_seq")
        w.integer((cursor.pending.first?.seq ?? cursor.scanSeq) - 1)
        w.key("scan_seq")
        w.integer(cursor.scanSeq)
        w.key("pending")
        w.integer(cursor.pending.count)
        w.key("in_flight")
        w.integer(d.state.inFlight)
        w.key("lag_events")
        w.integer(d.lagEvents)
        w.key("lag_seconds")
        w.integer(Int64(d.lagSeconds))
        w.key("delivered")
        w.integer(d.stats.delivered)
        w.key("failed_attempts")
        w.integer(d.stats.failedTotal)
        // Parked now (listed by /v1/hooks/{name}/parked), not parked since start (a metric).
        w.key("parked")
        w.integer(d.parked.count)
        // Old segments retention would delete but for this hook (storage.retention_days).
        let held = hooks.retentionHeld(by: d)
        w.key("retention_held_segments")
        w.integer(held.segments)
        w.key("retention_held_bytes")
        w.integer(held.bytes)
        w.key("last_error")
        w.stringOrNull(d.stats.lastError)
        w.key("last_error_at")
        if let at = d.stats.lastErrorAtMs { w.string(Timestamp.iso8601(unixMs: at)) } else { w.null() }
        w.endObject()
    }
}
