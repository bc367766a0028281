import PayhookCore
import PayhookPosix
import PayhookStore

extension RejectsRoute {
    /// `GET /v1/rejects?limit=N`: the newest N stored rejects (at most `max_events_page`),
    /// newest first, with reason, source, time, client and the stored request. The files are
    /// read on the route's worker thread.
    func list(_ request: Request, _ responder: Responder, maxPage: Int) {
        var limit = 100
        if let text = request.queryItem("limit") {
            guard let n = Int(text), n > 0 else { return responder.fail(.badRequest("limit must be a positive integer")) }
            limit = min(n, maxPage)
        }
        let page = limit
        let dir = storageDir
        let back = LoopBound(responder)
        let executor = executor
        submitOffLoop {
            let entries = (try? RejectStore.list(dir: dir)) ?? []
            let body = Self.listJSON(Array(entries.suffix(page).reversed()), total: entries.count)
            executor.execute(back) { responder in
                responder.respond(Response(status: 200, headers: [("Content-Type", "application/json")], body: body))
            }
        }
    }

    static func listJSON(_ entries: [RejectEntry], total: Int) -> [UInt8] {
        var w = JSONWriter(reservingCapacity: 1024 * max(1, entries.count))
        w.beginObject()
        w.key("total")
        w.integer(total)
        w.key("rejects")
        w.beginArray()
        for e in entries {
            w.beginObject()
            w.key("id")
            w.integer(e.id)
            w.key("received_at")
            w.string(Timestamp.iso8601(unixMs: e.receivedAtMs))
            w.key("source")
            w.string(e.source)
            w.key("reason")
            w.string(e.reason)
            w.key("reingested")
            w.bool(e.reingested)
            w.key("request")
            ConsoleAPI.write(e.request, into: &w)
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return w.bytes
    }
}
