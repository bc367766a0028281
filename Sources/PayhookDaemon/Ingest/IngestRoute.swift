import PayhookCore
import PayhookLog
import PayhookPosix
import PayhookProviders
import PayhookStore

/// `POST /hooks/{source}`: the pipeline of `design.md` (Ingest), in its order: route, method,
/// Content-Type, size (enforced by the HTTP parser), client allowlist, signature on the raw body,
/// parse and normalize, dedup, durable append, answer. Runs on the loop thread; the only wait is
/// the writer thread's fdatasync, after which the sink (`EventStore`) calls back and the 2xx leaves.
/// `rejects reverify` runs kept requests through the same `ingest` (same checks, same order).
final class IngestRoute {
    /// The sources and proxy trust, read per request: the daemon passes its live settings, which
    /// a reload replaces as a whole.
    var table: SourceTable { currentTable() }
    private let currentTable: () -> SourceTable
    /// Where authentic events go: the log (`EventStore`), or a fake in the unit tests.
    let store: any EventSink
    let rejects: RejectStore
    let metrics: Metrics
    let clock: any Clock
    /// The log's bounds, so that every authentic request is made to fit (`StorableRecord`).
    let limits: LogLimits

    init(
        table: @escaping @autoclosure () -> SourceTable, store: any EventSink, rejects: RejectStore, metrics: Metrics, clock: any Clock,
        limits: LogLimits
    ) {
        self.limits = limits
        currentTable = table
        self.store = store
        self.rejects = rejects
        self.metrics = metrics
        self.clock = clock
        IngestMetrics.declare(metrics)
    }

    /// Who sent the request to the pipeline: a provider now, or `rejects reverify` replaying a
    /// request kept in the rejects store (which is not stored again when it still fails).
    enum Origin { case provider, reverify }

    func handle(_ request: Request, _ responder: Responder) {
        let name = request.parameters["source"] ?? ""
        guard let source = table[name] else { return responder.fail(.unknownSource(name)) }
        let incoming = IngestRequest(request, trustedProxies: table.trustedProxies)
        ingest(source, incoming, receivedAtMs: clock.nowUnixMs(), origin: .provider) { responder.respond($0.response) }
    }

    /// The whole pipeline after routing, for a live request and for `rejects reverify` alike:
    /// the checks (`check`), then parse, dedup, durable append. `finish` runs on the loop with
    /// the outcome once the event is durable, a duplicate, refused or not storable.
    func ingest(
        _ source: IngestSource, _ request: IngestRequest, receivedAtMs: Int64, origin: Origin,
        finish: @escaping (IngestOutcome) -> Void
    ) {
        switch check(source, request) {
        case .failure(let refusal):
            refused(source, request, refusal, receivedAtMs: receivedAtMs, origin: origin)
            finish(.rejected(refusal))
        case .success(let verifiedBy):
            accept(source, request.stored(limits), verifiedBy: verifiedBy, receivedAtMs: receivedAtMs, finish: finish)
        }
    }

    /// The checks of `design.md` (Ingest) before anything is stored, in its order: method,
    /// Content-Type, client allowlist, signature on the raw body (sizes are the HTTP parser's).
    /// Success carries the scheme that verified the request.
    func check(_ source: IngestSource, _ request: IngestRequest) -> Result<String, IngestOutcome.Refusal> {
        guard request.method == "POST" else { return .failure(.methodNotAllowed) }
        guard Self.isJSON(request.contentType) else { return .failure(.unsupportedMediaType) }
        guard ClientAddress.allowed(request.clientAddress, by: source.allowFrom) else {
            return .failure(.forbidden(client: request.clientAddress))
        }
        switch Providers.verify(source.provider, headers: request.headers, body: request.body) {
        case .rejected(let reason): return .failure(.badSignature(reason))
        case .verified(let by): return .success(by)
        }
    }

    /// Counts and logs a refusal; a provider's request with a bad signature is kept in the
    /// rejects store (one replayed by reverify is there already).
    private func refused(
        _ source: IngestSource, _ request: IngestRequest, _ refusal: IngestOutcome.Refusal, receivedAtMs: Int64, origin: Origin
    ) {
        guard origin == .provider else {
            return Journal.repeated(
                .warning, key: "reverify \(source.name) \(refusal.name)",
                "rejects reverify \(source.name): still rejected: \(refusal.name) (client \(request.clientAddress))",
                summary: ("rejects reverify \(source.name):", "more still rejected: \(refusal.name)"))
        }
        metrics.add(IngestMetrics.rejected, [source.name, refusal.name])
        switch refusal {
        case .methodNotAllowed, .unsupportedMediaType: break
        case .forbidden(let client):
            Journal.repeated(
                .warning, key: "ingest \(source.name) forbidden", "ingest \(source.name): client \(client) is not in allow_from",
                summary: ("ingest \(source.name):", "refused from clients not in allow_from (last \(client))"))
        case .badSignature(let reason):
            Journal.repeated(
                .warning, key: "ingest \(source.name) \(reason.rawValue)",
                "ingest \(source.name): rejected from \(request.clientAddress): \(reason.rawValue)",
                summary: ("ingest \(source.name):", "rejected (last from \(request.clientAddress)): \(reason.rawValue)"))
            rejects.record(
                RejectEntry(
                    receivedAtMs: receivedAtMs, source: source.name, request: request.stored(limits),
                    reason: "bad_signature: \(reason.rawValue)"))
        }
    }

    /// Stores an authentic request (or answers it as a duplicate); `finish` gets the outcome
    /// once the event is durable (or could not be made so).
    private func accept(
        _ source: IngestSource, _ request: StoredRequest, verifiedBy: String, receivedAtMs: Int64,
        finish: @escaping (IngestOutcome) -> Void
    ) {
        var request = request
        let normalized = Providers.normalize(
            source.provider, body: request.body, receivedAtMs: receivedAtMs, verifiedBy: verifiedBy,
            previousStatus: { [store] paymentID in store.status(source: source.name, paymentID: paymentID) })
        let event = StorableRecord.event(normalized, source: source.provider, body: request.body, limits: limits)
        request.bodyIsJSON = event.quarantined != "not_json"
        if let original = store.storedSeq(of: event) {
            return answerDuplicate(event, original: original, request: request, receivedAtMs: receivedAtMs, finish)
        }
        let name = source.name
        let waitingForOriginal = store.awaitInFlight(event.id) { [self] result in
            switch result {
            case .success(let seq):
                // Answered, counted and marked in the log like a copy of a durable original.
                answerDuplicate(event, original: seq, request: request, receivedAtMs: receivedAtMs, finish)
            case .failure(let error):
                // Answered 503 like the original: counted like it (the original also logs why).
                metrics.add(IngestMetrics.rejected, [name, "unavailable"])
                finish(.unavailable(error))
            }
        }
        if waitingForOriginal { return }
        store.append(request, event) { [metrics] result in
            switch result {
            case .success(let seq):
                metrics.add(IngestMetrics.ingested, [name, event.quarantined == nil ? "accepted" : "quarantined"])
                guard let reason = event.quarantined else { return finish(.stored(id: event.id, seq: seq)) }
                Journal.warning("ingest \(name): stored seq \(seq) quarantined: \(reason)")
                finish(.quarantined(id: event.id, seq: seq, reason: reason))
            case .failure(let error):
                metrics.add(IngestMetrics.rejected, [name, "unavailable"])
                Journal.error("ingest \(name): not stored: \(error)")
                finish(.unavailable(error))
            }
        }
    }

    private func answerDuplicate(
        _ event: NormalizedEvent, original: UInt64, request: StoredRequest, receivedAtMs: Int64,
        _ finish: (IngestOutcome) -> Void
    ) {
        metrics.add(IngestMetrics.ingested, [event.source, "duplicate"])
        store.recordDuplicate(
            DuplicateMarker(
                source: event.source, peerAddress: request.peerAddress, clientAddress: request.clientAddress,
                eventID: event.id, originalSeq: original),
            receivedAtMs: receivedAtMs)
        finish(.duplicate(id: event.id, of: original, quarantined: event.quarantined))
    }

    /// The source's `max_body_bytes`, declared to the connection once the head is parsed (an
    /// unknown source declares none: it is answered 404 after its body, as before).
    func bodyLimit(_ parameters: [String: String]) -> BodyLimit? {
        guard let source = table[parameters["source"] ?? ""] else { return nil }
        return BodyLimit(bytes: source.maxBodyBytes, setting: "max_body_bytes of source \(source.name)")
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
