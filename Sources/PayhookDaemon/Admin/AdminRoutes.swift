import PayhookCore
import PayhookLog
import PayhookStore

/// The admin API of `design.md` (status of payments, events, long poll, metrics). Statuses come
/// from the in-memory index; events are read back from the log by `RecordFetcher`, off the loop.
final class AdminRoutes {
    let store: EventStore
    let fetcher: RecordFetcher
    let metrics: Metrics
    let limits: Limits
    /// Schedules `action` on the loop after `ms`; returns a cancel function (long polls).
    let schedule: (_ ms: Int64, _ action: @escaping () -> Void) -> () -> Void
    /// The signature scheme of each configured source (`verified_by` names), for the payment
    /// answer's `unsigned`; read from the live settings, so a reload changes it.
    var scheme: (_ source: UnsafeRawBufferPointer) -> String? = { _ in nil }
    /// Status answers by payment, checked against the index (`StatusAnswerCache`).
    let answers: StatusAnswerCache
    /// Long polls in wait, each as the action that answers it (see `events`).
    private var waiters: LongPollWaiters<() -> Void>

    /// Bounds of the admin API (from `[server]`, see `Config.Server`).
    struct Limits {
        /// Events one answer holds at most: `/v1/events` clamps `limit` to it, and
        /// `/v1/payments/.../events` keeps the newest this many. `max_events_page`.
        var maxEventsPage: Int
        /// Longest `wait` of a long poll, in seconds. `max_long_poll_seconds`.
        var maxLongPollSeconds: Int
        /// Long polls held at once (503 above). `max_long_poll_waiters`.
        var maxLongPollWaiters: Int
        /// Status answers kept (`StatusAnswerCache`). `status_cache_entries`.
        var statusCacheEntries: Int

        init(_ server: Config.Server) {
            maxEventsPage = server.maxEventsPage
            maxLongPollSeconds = server.maxLongPollSeconds
            maxLongPollWaiters = server.maxLongPollWaiters
            statusCacheEntries = server.statusCacheEntries
        }
    }

    init(store: EventStore, fetcher: RecordFetcher, metrics: Metrics, limits: Limits, schedule: @escaping (Int64, @escaping () -> Void) -> () -> Void)
    {
        self.store = store
        self.fetcher = fetcher
        self.metrics = metrics
        self.limits = limits
        self.schedule = schedule
        waiters = LongPollWaiters(capacity: limits.maxLongPollWaiters)
        answers = StatusAnswerCache(capacity: limits.statusCacheEntries)
        metrics.declare("payhook_long_poll_waiters", .gauge, help: "GET /v1/events long polls waiting for an event.")
        metrics.declare("payhook_long_poll_woken_total", .counter, help: "Long polls answered because an event they wait for became durable.")
        _ = store.observe { [unowned self] in wakeSatisfied() }
    }

    /// After a durable batch: answers exactly the long polls it satisfies.
    private func wakeSatisfied() {
        let satisfied = waiters.takeSatisfied(lastSeq: store.index.lastSeq)
        guard !satisfied.isEmpty else { return }
        metrics.add("payhook_long_poll_woken_total", by: Double(satisfied.count))
        metrics.set("payhook_long_poll_waiters", to: Double(waiters.count))
        for answer in satisfied { answer() }
    }

    func install(into router: inout Router) {
        router.add(["GET", "HEAD"], "/v1/payments/{source}/{payment_id}", on: [.admin], immediate: { [self] values in payment(values) })
        router.add(["GET", "HEAD"], "/v1/payments/{source}/{payment_id}/events", on: [.admin]) { [self] r, a in paymentEvents(r, a) }
        router.add(["GET", "HEAD"], "/v1/events", on: [.admin]) { [self] r, a in events(r, a) }
        router.add(["GET", "HEAD"], "/metrics", on: [.admin]) { [self] _, a in
            a.respond(Response(status: 200, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")], body: metrics.renderBytes()))
        }
    }

    private func key(_ request: Request) -> (String, String)? {
        guard let source = request.parameters["source"].flatMap(PercentDecoding.decode),
            let id = request.parameters["payment_id"].flatMap(PercentDecoding.decode)
        else { return nil }
        return (source, id)
    }

    /// The payment answers' bytes (`payment`), kept from one answer to the next.
    private var answerBuffer: [UInt8] = []

    /// Shared by every payment answer (no array built per answer).
    static let jsonHeaders: [(name: String, value: String)] = [("Content-Type", "application/json")]

    /// `GET /v1/payments/{source}/{payment_id}`: an immediate route (`Router.ImmediateHandler`),
    /// on the path's bytes: no `String` for the payment id, none for the source but its scheme's
    /// lookup.
    func payment(_ values: PathValues) -> Response {
        let answer = PercentDecoding.withDecoded(values[0]) { source in
            PercentDecoding.withDecoded(values[1]) { id in
                // The kept answer's lines and the payment's change stamp start loading now, and
                // arrive while the scheme is looked up (`StatusAnswerCache`).
                let hash = LogIndex.paymentKeyHash(source: source, paymentID: id)
                answers.prefetch(hash: hash)
                store.prefetchPaymentChangeStamp(keyHash: hash)
                // Written from the record's bytes in the index (no `PaymentState` decoded per query).
                let verifiedBy = scheme(source) ?? ""
                var schemeName = verifiedBy
                // Into the buffer kept for answers: unshared again by the next query unless an
                // answer is still held (HTTP/2 writes later), and then the buffer is new.
                answerBuffer.removeAll(keepingCapacity: true)
                let found = schemeName.withUTF8 { schemeBytes in
                    // A kept answer is the one the payment's record renders to
                    // (`StatusAnswerCache`): if the payment's change stamp is the entry's, the
                    // index is not read; else if the record's bytes are the entry's, it is not
                    // decoded. Either way nothing is written but one copy.
                    let stamp = store.paymentChangeStamp(keyHash: hash)
                    let key = StatusAnswerCache.Key(hash: hash, source: source, paymentID: id, scheme: UnsafeRawBufferPointer(schemeBytes))
                    if let kept = answers.answer(for: key, stamp: stamp) {
                        answerBuffer.append(contentsOf: kept)
                        return true
                    }
                    return store.withPaymentRecord(source: source, paymentID: id) { record, fields in
                        if let kept = answers.answer(for: key, record: record, stamp: stamp) { return answerBuffer.append(contentsOf: kept) }
                        let p = fields()
                        PaymentJSON.render(
                            p, source: source, paymentID: id,
                            unsigned: SignatureCoverage.unsignedPaymentFields(verifiedBy: verifiedBy, status: p.status), into: &answerBuffer)
                        answerBuffer.withUnsafeBytes { answers.store($0, for: key, record: record, stamp: stamp) }
                    }
                }
                guard found else { return APIError.notFound(path: String(decoding: values.path, as: UTF8.self)).response }
                return Response(status: 200, headers: Self.jsonHeaders, body: answerBuffer)
            }
        }
        return answer.flatMap { $0 } ?? APIError.badRequest("bad percent-encoding in the path").response
    }

    func paymentEvents(_ request: Request, _ responder: Responder) {
        guard let (source, id) = key(request) else { return responder.fail(.badRequest("bad percent-encoding in the path")) }
        guard store.index.lookup(source: source, paymentID: id) != nil else { return responder.fail(.notFound(path: request.path)) }
        let seqs = store.index.eventSeqs(source: source, paymentID: id).suffix(limits.maxEventsPage)
        fetcher.fetch(store.locations(seqs)) { [self] records, failure in
            respondEvents(records, next: nil, failure: failure, responder)
        }
    }

    /// `GET /v1/events?after=SEQ&limit=N&wait=SECONDS`: the events among the next `limit`
    /// records after `after` (duplicate markers take seqs too, so a page may hold fewer), and
    /// `next`, the seq to pass as `after` for the following page.
    func events(_ request: Request, _ responder: Responder) {
        let after: UInt64
        let limit: Int
        let wait: Int
        do throws(APIError) {
            after = try Self.number(request, "after", default: 0, max: UInt64.max)
            limit = Int(try Self.number(request, "limit", default: 100, max: UInt64(Int.max)))
            wait = Int(try Self.number(request, "wait", default: 0, max: UInt64(limits.maxLongPollSeconds)))
        } catch {
            return responder.fail(error)
        }
        let page = UInt64(max(1, min(limit, limits.maxEventsPage)))
        let answer: () -> Void = { [self] in
            let last = min(store.index.lastSeq, after.addingReportingOverflow(page).overflow ? .max : after + page)
            guard last > after else { return respondEvents([], next: after, failure: nil, responder) }
            fetcher.fetch(store.locations((after + 1)...last)) { [self] records, failure in
                respondEvents(records, next: last, failure: failure, responder)
            }
        }
        if store.index.lastSeq > after || wait == 0 { return answer() }
        // Long poll: answer at the first durable event past `after`, or with an empty page when
        // time is up. Exactly once: whoever takes the entry out of `waiters` (a batch, the timer,
        // the client leaving) ends it (a second release of the timer would corrupt the timer queue).
        var cancelTimer: () -> Void = {}
        let added = waiters.add(after: after) {
            cancelTimer()
            answer()
        }
        guard let ticket = added else {
            return responder.fail(.unavailable("too many long polls waiting (max_long_poll_waiters)", retryAfterSeconds: 1))
        }
        metrics.set("payhook_long_poll_waiters", to: Double(waiters.count))
        cancelTimer = schedule(Int64(wait) * 1000) { [unowned self] in takeWaiter(ticket)?() }
        responder.onCancel = { [unowned self] in
            if takeWaiter(ticket) != nil { cancelTimer() }
        }
    }

    private func takeWaiter(_ ticket: LongPollWaiters<() -> Void>.Ticket) -> (() -> Void)? {
        let waiter = waiters.remove(ticket)
        metrics.set("payhook_long_poll_waiters", to: Double(waiters.count))
        return waiter
    }

    /// The event records among `records` (other kinds are skipped) as `{"events":[...],"next":n}`;
    /// a read failure (damage since start-up) is a 500 naming it.
    private func respondEvents(_ records: [LogRecord], next: UInt64?, failure: LogReadError?, _ responder: Responder) {
        if let failure { return responder.fail(.internal("reading the log: \(failure)")) }
        var w = JSONWriter(reservingCapacity: 1024 * max(1, records.count))
        w.beginObject()
        w.key("events")
        w.beginArray()
        for record in records where record.event != nil { EventJSON.write(record, into: &w) }
        w.endArray()
        if let next {
            w.key("next")
            w.integer(next)
        }
        w.endObject()
        responder.respond(Response(status: 200, headers: [("Content-Type", "application/json")], body: w.bytes))
    }

    private static func number(_ request: Request, _ name: String, default value: UInt64, max: UInt64) throws(APIError) -> UInt64 {
        guard let text = request.queryItem(name) else { return value }
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let n = UInt64(text) else {
            throw .badRequest("\(name) must be a non-negative integer")
        }
        guard n <= max else { throw .badRequest("\(name) must be at most \(max)") }
        return n
    }
}

/// A log record as `payhook.event/v1` JSON (`data` is the stored body when it is JSON).
enum EventJSON {
    static func write(_ record: LogRecord, into w: inout JSONWriter) {
        guard case .event(let request, var event) = record.payload else { return }
        event.seq = record.seq
        event.writeJSON(into: &w, data: request.bodyIsJSON ? request.body : nil)
    }
}

/// RFC 3986 percent-decoding of one path segment; nil for a bad escape or invalid UTF-8.
enum PercentDecoding {
    /// Calls `body` with `bytes` percent-decoded (the bytes themselves when they hold no `%`,
    /// as most ids do); nil, without calling it, when an escape is malformed or the decoded
    /// bytes are not UTF-8.
    static func withDecoded<T>(_ bytes: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> T) -> T? {
        guard bytes.contains(UInt8(ascii: "%")) else { return body(bytes) }
        guard let decoded = decode(String(decoding: bytes, as: UTF8.self)) else { return nil }
        var copy = decoded
        return copy.withUTF8 { body(UnsafeRawBufferPointer($0)) }
    }

    static func decode(_ s: String) -> String? {
        // Most ids have no escape: one look at the contiguous bytes (every status query).
        let percent = UInt8(ascii: "%")
        guard s.utf8.withContiguousStorageIfAvailable({ $0.contains(percent) }) ?? s.utf8.contains(percent) else { return s }
        var out: [UInt8] = []
        var it = Array(s.utf8)[...]
        while let b = it.popFirst() {
            guard b == UInt8(ascii: "%") else {
                out.append(b)
                continue
            }
            guard it.count >= 2, let hi = hex(it.popFirst()!), let lo = hex(it.popFirst()!) else { return nil }
            out.append(hi << 4 | lo)
        }
        return String(validating: out, as: UTF8.self)
    }

    private static func hex(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: b - 0x30
        case 0x41...0x46: b - 0x37
        case 0x61...0x66: b - 0x57
        default: nil
        }
    }
}
