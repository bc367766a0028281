import PayhookCore
import PayhookPosix
import PayhookStore

/// What the search must catch up on when its background build hands it over: the events
/// applied since the copy it was built from, whether an expiry pass completed meanwhile, and
/// the searches that came in (answered then, so that no answer misses a payment).
struct SearchBacklog {
    var applied: [(source: String, paymentID: String, merchantRef: String?)] = []
    var pruneAsked = false
    var finds: [(Request, Responder)] = []
}

/// One build of the search on the `payhookd-search` thread, from a copy of the loop's index.
struct SearchBuild: Sendable {
    let index: LogIndex
    /// When the loop asked for it (monotonic ms), for the start-up line.
    let startMs: Int64
    let done: LoopBound<(PaymentSearchIndex, Int64) -> Void>

    func run(executor: LoopExecutor) {
        var built = PaymentSearchIndex()
        built.build(from: index)
        executor.execute(done) { [built, startMs] done in done(built, startMs) }
    }
}

extension ConsoleAPI {
    /// Takes the built search on the loop, folds in the backlog and answers the waiting searches.
    func install(_ built: PaymentSearchIndex, startMs: Int64) {
        var s = built
        for e in searchBacklog.applied { s.add(source: e.source, paymentID: e.paymentID, merchantRef: e.merchantRef) }
        if searchBacklog.pruneAsked { s.startPrune() }
        // The figures issue 12 asks about (bytes a payment, time to build), one line.
        Journal.info(
            "console search: \(s.count) merchant ref entries for \(store.index.paymentCount) payments, \(s.heapBytes()) bytes, "
                + "ready \(clock.monotonicMs() - startMs) ms after start-up (\(searchBacklog.applied.count) events caught up)")
        search = s
        let waiting = searchBacklog.finds
        searchBacklog = SearchBacklog()
        for (request, responder) in waiting { find(request, responder) }
    }

    /// Stops the build thread (daemon shutdown).
    func shutdown() { searchBuilder.shutdown() }

    /// `GET /v1/search?q=TEXT`: the payments whose id or merchant ref is TEXT (percent-decoded),
    /// each with its last-seen status. Until the search is built the request waits for it.
    func find(_ request: Request, _ responder: Responder) {
        guard let raw = request.queryItem("q"), let text = PercentDecoding.decode(raw.replacing("+", with: " ")), !text.isEmpty
        else { return responder.fail(.badRequest("q must be a non-empty, percent-encoded payment id or merchant ref")) }
        guard let search else { return searchBacklog.finds.append((request, responder)) }
        var w = JSONWriter(reservingCapacity: 512)
        w.beginObject()
        w.key("payments")
        w.beginArray()
        for p in search.find(text, limit: maxResults, in: store.index) {
            w.beginObject()
            w.key("source")
            w.string(p.source)
            w.key("payment_id")
            w.string(p.paymentID)
            w.key("merchant_ref")
            w.stringOrNull(p.merchantRef)
            w.key("status")
            w.string(p.status.rawValue)
            w.key("events")
            w.integer(p.events)
            w.key("last_seen")
            w.string(Timestamp.iso8601(unixMs: p.lastSeenMs))
            w.endObject()
        }
        w.endArray()
        w.endObject()
        responder.respond(Response(status: 200, headers: [("Content-Type", "application/json")], body: w.bytes))
    }
}
