import PayhookCore
import PayhookLog
import PayhookPosix
import PayhookStore

/// The admin routes the console needs beyond the API it shares with other clients:
/// `GET /v1/overview` (per-source ingest counts per minute, log figures), `GET /v1/search?q=`
/// (a payment by id or merchant ref, from `PaymentSearchIndex`) and `GET /v1/records/{seq}` (one
/// record with its stored request). Behind the admin token like every `/v1` route.
final class ConsoleAPI {
    let store: EventStore
    let fetcher: RecordFetcher
    let clock: any Clock
    /// Answers hold at most this many payments (`max_events_page`).
    let maxResults: Int
    /// `nil` until the background build hands it over (`ConsoleAPI+Search.swift`); meanwhile
    /// `searchBacklog` keeps what it must catch up on.
    var search: PaymentSearchIndex?
    var searchBacklog = SearchBacklog()
    let searchBuilder: QueueWorker<SearchBuild>
    private(set) var activity = IngestActivity()
    /// The configured sources, listed even before their first request (live settings).
    var sources: () -> [String] = { [] }
    /// The snapshot seq last seen and when its file was written (read once per new seq; when
    /// the file cannot be read, when this process first saw the seq).
    private var snapshotSeen: (seq: UInt64, atMs: Int64)
    private let logDir: String

    init(
        store: EventStore, fetcher: RecordFetcher, metrics: Metrics, clock: any Clock, maxResults: Int, logDir: String, executor: LoopExecutor
    ) throws(SyscallError) {
        self.store = store
        self.logDir = logDir
        self.fetcher = fetcher
        self.clock = clock
        self.maxResults = maxResults
        let seq = store.writer.snapshotSeq
        snapshotSeen = (seq, Log.snapshotWrittenAtMs(logDir: logDir, lastSeq: seq) ?? clock.nowUnixMs())
        searchBuilder = try QueueWorker(name: "payhookd-search") { jobs, _ in for job in jobs { job.run(executor: executor) } }
        // Built off the loop from an O(1) copy of the index (its shards are shared
        // copy-on-write), so start-up does not wait for a pass over every payment.
        searchBuilder.submit(
            SearchBuild(index: store.index, startMs: clock.monotonicMs(), done: LoopBound { [weak self] in self?.install($0, startMs: $1) }))
        store.onEventApplied = { [unowned self] event in
            guard let id = event.paymentID else { return }
            guard search != nil else { return searchBacklog.applied.append((event.source, id, event.merchantRef)) }
            search?.add(source: event.source, paymentID: id, merchantRef: event.merchantRef)
        }
        // Payments bounded dedup expired leave the search too, a few shards a turn.
        store.onPaymentsExpired = { [unowned self] in
            guard search != nil else { return searchBacklog.pruneAsked = true }
            search?.startPrune()
        }
        store.onExpiryTurn = { [unowned self] in search?.prune(in: store.index) ?? false }
        metrics.onAdd.append { [unowned self] name, labels, by in counted(name, labels, Int(by)) }
    }

    private func counted(_ name: String, _ labels: [String], _ n: Int) {
        guard labels.count == 2 else { return }
        let result: IngestActivity.Result
        switch name {
        case IngestMetrics.ingested:
            guard let r = IngestActivity.Result(label: labels[1]) else { return }
            result = r
        case IngestMetrics.rejected: result = .rejected
        default: return
        }
        activity.count(source: labels[0], result, by: n, atMs: clock.nowUnixMs())
    }

    func install(into router: inout Router) {
        router.add(["GET", "HEAD"], "/v1/overview", on: [.admin]) { [self] _, responder in
            responder.respond(Response(status: 200, headers: [("Content-Type", "application/json")], body: overview()))
        }
        router.add(["GET", "HEAD"], "/v1/search", on: [.admin]) { [self] request, responder in find(request, responder) }
        router.add(["GET", "HEAD"], "/v1/records/{seq}", on: [.admin]) { [self] request, responder in record(request, responder) }
    }

    func overview() -> [UInt8] {
        let now = clock.nowUnixMs()
        var w = JSONWriter(reservingCapacity: 4096)
        w.beginObject()
        w.key("now")
        w.string(Timestamp.iso8601(unixMs: now))
        w.key("sources")
        w.beginArray()
        for source in Set(sources() + activity.sources).sorted() {
            w.beginObject()
            w.key("source")
            w.string(source)
            writeCounts("hour", activity.total(source: source, minutes: 60, atMs: now), into: &w)
            writeCounts("day", activity.total(source: source, minutes: 1440, atMs: now), into: &w)
            w.key("minutes")  // the last hour per minute, oldest first
            writeSeries(activity.series(source: source, buckets: 60, spanMinutes: 1, atMs: now), into: &w)
            w.key("hours")  // the last day per hour, oldest first
            writeSeries(activity.series(source: source, buckets: 24, spanMinutes: 60, atMs: now), into: &w)
            w.endObject()
        }
        w.endArray()
        writeLog(now: now, into: &w)
        w.endObject()
        return w.bytes
    }

    private func writeLog(now: Int64, into w: inout JSONWriter) {
        let index = store.index
        let snapshotSeq = store.writer.snapshotSeq
        if snapshotSeq != snapshotSeen.seq {
            snapshotSeen = (snapshotSeq, Log.snapshotWrittenAtMs(logDir: logDir, lastSeq: snapshotSeq) ?? now)
        }
        w.key("log")
        w.beginObject()
        w.key("bytes")
        w.integer(index.segments.reduce(Int64(0)) { $0 + $1.endOffset })
        w.key("segments")
        w.integer(index.segments.count)
        w.key("last_seq")
        w.integer(index.lastSeq)
        w.key("first_seq")  // the oldest retained record
        if let first = index.segments.first { w.integer(first.firstSeq) } else { w.null() }
        w.key("payments")
        w.integer(index.paymentCount)
        w.key("snapshot_seq")
        w.integer(snapshotSeq)
        w.key("snapshot_age_seconds")
        if snapshotSeq > 0 { w.integer((now - snapshotSeen.atMs) / 1000) } else { w.null() }
        w.endObject()
    }

    private func writeCounts(_ key: String, _ counts: [Int], into w: inout JSONWriter) {
        w.key(key)
        w.beginObject()
        for r in IngestActivity.Result.allCases {
            w.key(r.name)
            w.integer(counts[r.rawValue])
        }
        w.endObject()
    }

    private func writeSeries(_ series: [[Int]], into w: inout JSONWriter) {
        w.beginArray()
        for counts in series {
            w.beginArray()
            for c in counts { w.integer(c) }
            w.endArray()
        }
        w.endArray()
    }
}

extension IngestActivity.Result {
    /// The `result` label of `payhook_ingest_total`.
    init?(label: String) {
        switch label {
        case "accepted": self = .accepted
        case "quarantined": self = .quarantined
        case "duplicate": self = .duplicate
        default: return nil
        }
    }
}
