import PayhookCore
import PayhookLog
import PayhookProviders

/// `POST /hooks/{source}`: the pipeline of `design.md` (Ingest), in its order: route, method,
/// Content-Type, size (enforced by the HTTP parser), client allowlist, signature on the raw body,
/// parse and normalize, dedup, durable append, answer. Runs on the loop thread; the only wait is
/// the writer thread's fdatasync, after which `EventStore` calls back and the 2xx leaves.
final class IngestRoute {
    var table: SourceTable
    let store: EventStore
    let rejects: RejectStore
    let metrics: Metrics
    let clock: any Clock
    /// The log's bounds, so that every authentic request is made to fit (`StorableRecord`).
    let limits: LogLimits

    init(table: SourceTable, store: EventStore, rejects: RejectStore, metrics: Metrics, clock: any Clock, limits: LogLimits) {
        self.limits = limits
        self.table = table
        self.store = store
        self.rejects = rejects
        self.metrics = metrics
        self.clock = clock
        IngestMetrics.declare(metrics)
    }

    /// The headers kept with a stored or rejected request (the rest carry nothing an audit needs).
    static let keptHeaders: Set<String> = ["content-type", "signature", "x-signature", "user-agent", "x-forwarded-for", "x-real-ip"]

    func handle(_ request: Request, _ responder: Responder) {
        let name = request.parameters["source"] ?? ""
        guard let source = table[name] else { return responder.fail(.unknownSource(name)) }
        guard request.method == "POST" else { return responder.fail(.methodNotAllowed(allow: ["POST"])) }
        guard Self.isJSON(request.header("content-type")) else {
            metrics.add(IngestMetrics.rejected, [name, "unsupported_media_type"])
            return responder.fail(.unsupportedMediaType("Content-Type must be application/json"))
        }
        let client = ClientAddress.resolve(peer: request.peer, headers: request.headers, trusted: table.trustedProxies)
        guard ClientAddress.allowed(client, by: source.allowFrom) else {
            metrics.add(IngestMetrics.rejected, [name, "forbidden"])
            Journal.repeated(
                .warning, key: "ingest \(name) forbidden", "ingest \(name): client \(client) is not in allow_from",
                summary: ("ingest \(name):", "refused from clients not in allow_from (last \(client))"))
            return responder.fail(.forbidden("client \(client) is not allowed for source \(name)"))
        }
        let now = clock.nowUnixMs()
        let stored = limits.fitted(
            StoredRequest(
                peerAddress: request.peer, clientAddress: client, method: request.method, path: request.path,
                headers: request.headers.filter { Self.keptHeaders.contains($0.name.lowercased()) }.map { HeaderField($0.name, $0.value) },
                body: request.body, bodyIsJSON: false)
        ).request
        switch Providers.verify(source.provider, headers: request.headers, body: request.body) {
        case .rejected(let reason):
            metrics.add(IngestMetrics.rejected, [name, reason.rawValue])
            Journal.repeated(
                .warning, key: "ingest \(name) \(reason.rawValue)", "ingest \(name): rejected from \(client): \(reason.rawValue)",
                summary: ("ingest \(name):", "rejected (last from \(client)): \(reason.rawValue)"))
            rejects.record(RejectEntry(receivedAtMs: now, source: name, request: stored, reason: "bad_signature: \(reason.rawValue)"))
            responder.fail(.badSignature(reason.message))
        case .verified(let by):
            accept(source, stored, verifiedBy: by, receivedAtMs: now) { responder.respond($0) }
        }
    }

    /// Stores an authentic request (or answers it as a duplicate); `finish` gets the answer once
    /// the event is durable (or could not be made so). Also used by `rejects reverify`.
    func accept(
        _ source: IngestSource, _ request: StoredRequest, verifiedBy: String, receivedAtMs: Int64,
        finish: @escaping (Response) -> Void
    ) {
        var request = request
        let normalized = Providers.normalize(
            source.provider, body: request.body, receivedAtMs: receivedAtMs, verifiedBy: verifiedBy,
            previousStatus: { paymentID in store.index.lookup(source: source.name, paymentID: paymentID)?.status })
        let event = StorableRecord.event(normalized, source: source.provider, body: request.body, limits: limits)
        request.bodyIsJSON = event.quarantined != "not_json"
        if let original = store.index.dedup(id: event.id) {
            return answerDuplicate(event, original: original, request: request, receivedAtMs: receivedAtMs, finish)
        }
        let name = source.name
        let waitingForOriginal = store.awaitInFlight(event.id) { [metrics] result in
            switch result {
            case .success(let seq):
                metrics.add(IngestMetrics.ingested, [name, "duplicate"])
                finish(Self.answer(event, seq: seq, duplicate: true))
            case .failure(let error):
                finish(Self.unavailable(error).response)
            }
        }
        if waitingForOriginal { return }
        store.append(request, event) { [metrics] result in
            switch result {
            case .success(let seq):
                metrics.add(IngestMetrics.ingested, [name, event.quarantined == nil ? "accepted" : "quarantined"])
                if let reason = event.quarantined {
                    Journal.warning("ingest \(name): stored seq \(seq) quarantined: \(reason)")
                }
                finish(Self.answer(event, seq: seq, duplicate: false))
            case .failure(let error):
                metrics.add(IngestMetrics.rejected, [name, "unavailable"])
                Journal.error("ingest \(name): not stored: \(error)")
                finish(Self.unavailable(error).response)
            }
        }
    }

    private func answerDuplicate(
        _ event: NormalizedEvent, original: UInt64, request: StoredRequest, receivedAtMs: Int64,
        _ finish: (Response) -> Void
    ) {
        metrics.add(IngestMetrics.ingested, [event.source, "duplicate"])
        store.recordDuplicate(
            DuplicateMarker(
                source: event.source, peerAddress: request.peerAddress, clientAddress: request.clientAddress,
                eventID: event.id, originalSeq: original),
            receivedAtMs: receivedAtMs)
        finish(Self.answer(event, seq: original, duplicate: true))
    }

    /// `{"ok":true,"id":...,"seq":n,"duplicate":false}` (+ `"quarantined"` when flagged).
    static func answer(_ event: NormalizedEvent, seq: UInt64, duplicate: Bool) -> Response {
        var w = JSONWriter()
        w.beginObject()
        w.key("ok")
        w.bool(true)
        w.key("id")
        w.string(event.id)
        w.key("seq")
        w.integer(seq)
        w.key("duplicate")
        w.bool(duplicate)
        if let reason = event.quarantined {
            w.key("quarantined")
            w.string(reason)
        }
        w.endObject()
        return Response(status: 200, headers: [("Content-Type", "application/json")], body: w.bytes)
    }

    static func unavailable(_ error: LogWriteError) -> APIError {
        switch error {
        case .shuttingDown: .unavailable("shutting down; send again", retryAfterSeconds: 5)
        case .storageFull: .unavailable("storage is full; send again later", retryAfterSeconds: 30)
        case .tooLarge: .unavailable("the request cannot be stored", retryAfterSeconds: 60)
        case .io, .failed: .unavailable("storage cannot make the event durable; send again later", retryAfterSeconds: 10)
        }
    }

    /// `application/json`, with or without parameters (`; charset=utf-8`), any letter case.
    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let mediaType = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0]
        return String(mediaType).trimmingSpaces.lowercased() == "application/json"
    }
}

/// Metric names of the ingest pipeline.
enum IngestMetrics {
    static let ingested = "payhook_ingest_total"
    static let rejected = "payhook_ingest_rejected_total"

    static func declare(_ m: Metrics) {
        m.declare(
            ingested, .counter, help: "Authentic notifications answered 2xx, by source and result (accepted, quarantined, duplicate).",
            labels: ["source", "result"])
        m.declare(rejected, .counter, help: "Notifications answered with an error, by source and reason.", labels: ["source", "reason"])
    }
}
