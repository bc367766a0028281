import PayhookCore
import PayhookHooks

// `GET /v1/hooks/{name}/parked`, `POST /v1/hooks/{name}/retry-parked`,
// `POST /v1/hooks/{name}/replay?from=SEQ`: the operator's controls (admin listener, token as the
// other admin routes). Both POSTs answer 202: the events are queued, not yet delivered.
extension HooksRoute {
    func installOperator(into router: inout Router) {
        router.add(["GET", "HEAD"], "/v1/hooks/{name}/parked", on: [.admin]) { [self] request, responder in
            guard let d = driver(request, responder) else { return }
            responder.respond(Self.json(200, parkedList(d)))
        }
        router.add(["POST"], "/v1/hooks/{name}/retry-parked", on: [.admin]) { [self] request, responder in
            guard let d = driver(request, responder) else { return }
            let parked = d.parked.count
            let queued = d.retryParked()
            var w = JSONWriter()
            w.beginObject()
            w.key("hook")
            w.string(d.name)
            w.key("parked")
            w.integer(parked)
            w.key("queued")
            w.integer(queued)
            w.endObject()
            responder.respond(Self.json(202, w.bytes))
        }
        router.add(["POST"], "/v1/hooks/{name}/forget", on: [.admin]) { [self] request, responder in
            forget(request, responder)
        }
        router.add(["POST"], "/v1/hooks/{name}/replay", on: [.admin]) { [self] request, responder in
            guard let d = driver(request, responder) else { return }
            let last = hooks.lastSeq
            guard let text = request.queryItem("from"), let from = UInt64(text), from >= 1, from <= last else {
                return responder.fail(.badRequest("replay needs from=SEQ, a seq from 1 to the newest, \(last)"))
            }
            let range = d.replay(from: from)
            var w = JSONWriter()
            w.beginObject()
            w.key("hook")
            w.string(d.name)
            w.key("from")
            w.integer(from)
            // Up to the scan position at the ask; what lies past it is sent by the scan anyway.
            w.key("through")
            if let range { w.integer(range.upperBound) } else { w.null() }
            w.endObject()
            responder.respond(Self.json(202, w.bytes))
        }
    }

    /// `POST /v1/hooks/{name}/forget`: 200 `{"hook", "removed": [file names]}` once a removed
    /// hook's cursor and parked files are deleted; 409 for a configured hook (remove it from
    /// [[hooks]] and reload first); 404 when there was nothing to delete.
    private func forget(_ request: Request, _ responder: Responder) {
        guard let name = request.parameters["name"].flatMap(PercentDecoding.decode), HookSet.isForgettable(name) else {
            return responder.fail(.notFound(path: request.path))
        }
        let started = hooks.forget(name) { removed in
            guard !removed.isEmpty else { return responder.fail(.notFound(path: request.path)) }
            var w = JSONWriter()
            w.beginObject()
            w.key("hook")
            w.string(name)
            w.key("removed")
            w.beginArray()
            for path in removed { w.string(String(path.split(separator: "/").last ?? "")) }
            w.endArray()
            w.endObject()
            responder.respond(Self.json(200, w.bytes))
        }
        if !started { responder.fail(.conflict("hook \(name) is configured: remove it from [[hooks]] and reload first")) }
    }

    /// The hook named in the path, or nil after answering 404.
    private func driver(_ request: Request, _ responder: Responder) -> HookDriver? {
        guard let name = request.parameters["name"].flatMap(PercentDecoding.decode), let d = hooks.driver(name) else {
            responder.fail(.notFound(path: request.path))
            return nil
        }
        return d
    }

    private static func json(_ status: Int, _ body: [UInt8]) -> Response {
        Response(status: status, headers: [("Content-Type", "application/json")], body: body)
    }

    func parkedList(_ d: HookDriver) -> [UInt8] {
        var w = JSONWriter(reservingCapacity: 256 * (d.parked.count + 1))
        w.beginObject()
        w.key("hook")
        w.string(d.name)
        w.key("parked")
        w.beginArray()
        for seq in d.parked.seqs {
            guard let p = d.parked[seq] else { continue }
            w.beginObject()
            w.key("seq")
            w.integer(seq)
            w.key("event_id")
            w.string(p.record.eventID)
            w.key("attempts")
            w.integer(Int(p.record.attempts))
            w.key("first_attempt_at")
            w.string(Timestamp.iso8601(unixMs: p.record.firstAttemptMs))
            w.key("last_attempt_at")
            w.string(Timestamp.iso8601(unixMs: p.record.lastAttemptMs))
            w.key("last_error")
            w.string(p.lastError)
            // Re-queued by retry-parked and not delivered (or parked again) yet.
            w.key("retrying")
            w.bool(d.retrying.contains(seq))
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return w.bytes
    }
}
