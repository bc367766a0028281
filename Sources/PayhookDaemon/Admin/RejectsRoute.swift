import PayhookCore
import PayhookLog
import PayhookPosix
import PayhookProviders
import PayhookStore

/// `POST /v1/rejects/reverify`: re-checks the stored rejected requests against today's sources
/// and secrets and ingests those that now pass, once each (`payhookd rejects reverify`).
///
/// Reading and marking reject files is disk work, so it runs on the route's worker thread; the
/// verification and the appends run on the loop like any ingest, and the answer leaves when
/// every re-ingested event is durable and its reject file is marked done.
final class RejectsRoute {
    let ingest: IngestRoute
    let storageDir: String
    let executor: LoopExecutor
    private var running = false
    /// The rejects store's file work; jobs are queued in order, one run at a time anyway.
    private let worker: QueueWorker<@Sendable () -> Void>

    /// What one reverify run did, for the answer.
    struct Summary {
        var checked = 0
        var ingested = 0
        var duplicates = 0
        var stillRejected = 0
        /// `stillRejected` by reason (`forbidden`, `signature_mismatch`, ...).
        var stillRejectedReasons: [String: Int] = [:]
        var unknownSource = 0
        var failed = 0

        mutating func count(_ outcome: IngestOutcome) {
            switch outcome {
            case .stored, .quarantined: ingested += 1
            case .duplicate: duplicates += 1
            case .rejected(let refusal):
                stillRejected += 1
                stillRejectedReasons[refusal.name, default: 0] += 1
            case .unavailable: failed += 1
            }
        }
    }

    init(ingest: IngestRoute, storageDir: String, executor: LoopExecutor) throws(SyscallError) {
        self.ingest = ingest
        self.storageDir = storageDir
        self.executor = executor
        worker = try QueueWorker(name: "payhookd-rejects") { jobs, _ in for job in jobs { job() } }
    }

    func install(into router: inout Router) {
        router.add(["POST"], "/v1/rejects/reverify", on: [.admin]) { [self] _, responder in reverify(responder) }
    }

    func reverify(_ responder: Responder) {
        guard !running else { return responder.fail(.conflict("a reverify run is already in progress")) }
        running = true
        let dir = storageDir
        let back = LoopBound((self, responder))
        let executor = executor
        offLoop {
            let entries = (try? RejectStore.list(dir: dir)) ?? []
            executor.execute(back) { route, responder in route.process(entries.filter { !$0.reingested }, responder) }
        }
    }

    /// Runs `work` (file reads and writes of the rejects store) on the route's worker thread.
    func submitOffLoop(_ work: @escaping @Sendable () -> Void) { worker.submit(work) }

    /// Runs `work` (file reads and writes of the rejects store) on the route's worker thread.
    private func offLoop(_ work: @escaping @Sendable () -> Void) { worker.submit(work) }

    /// Finishes queued file work and stops the worker thread (at shutdown).
    func shutdown() { worker.shutdown() }

    private func process(_ entries: [RejectEntry], _ responder: Responder) {
        var summary = Summary()
        var done: [UInt64] = []
        var outstanding = entries.count + 1
        let finishOne: () -> Void = { [self] in
            outstanding -= 1
            guard outstanding == 0 else { return }
            let dir = storageDir
            let ids = done
            let back = LoopBound((self, responder))
            let result = summary
            let executor = executor
            offLoop {
                var failed = 0
                for id in ids where (try? RejectStore.markReingested(dir: dir, id: id)) == nil { failed += 1 }
                executor.execute(back) { [failed] route, responder in
                    var final = result
                    final.failed += failed
                    route.running = false
                    responder.respond(Self.answer(final))
                }
            }
        }
        for entry in entries {
            summary.checked += 1
            guard let source = ingest.table[entry.source] else {
                summary.unknownSource += 1
                finishOne()
                continue
            }
            let request = IngestRequest(entry.request)
            ingest.ingest(source, request, receivedAtMs: entry.receivedAtMs, origin: .reverify) { outcome in
                summary.count(outcome)
                if outcome.isDurable { done.append(entry.id) }
                finishOne()
            }
        }
        finishOne()
    }

    static func answer(_ s: Summary) -> Response {
        var w = JSONWriter()
        w.beginObject()
        w.key("ok")
        w.bool(s.failed == 0)
        w.key("checked")
        w.integer(s.checked)
        w.key("ingested")
        w.integer(s.ingested)
        w.key("duplicates")
        w.integer(s.duplicates)
        w.key("still_rejected")
        w.integer(s.stillRejected)
        w.key("still_rejected_reasons")
        w.beginObject()
        for (reason, n) in s.stillRejectedReasons.sorted(by: { $0.key < $1.key }) {
            w.key(reason)
            w.integer(n)
        }
        w.endObject()
        w.key("unknown_source")
        w.integer(s.unknownSource)
        w.key("failed")
        w.integer(s.failed)
        w.endObject()
        return Response(status: 200, headers: [("Content-Type", "application/json")], body: w.bytes)
    }
}
