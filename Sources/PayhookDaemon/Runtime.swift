import PayhookCore
import PayhookLog
import PayhookPosix
import PayhookStore

/// Everything serve needs beyond the HTTP server: the recovered log, the rejects store, the
/// ingest pipeline, the admin API and the metrics, wired to the server's loop.
///
/// Built on the main thread before the loop runs (recovery reads the whole log tail, so it must
/// finish before READY=1); afterwards every method runs on the loop thread.
final class Runtime {
    let store: EventStore
    let rejects: RejectStore
    let metrics = Metrics()
    let ingest: IngestRoute
    /// What SIGHUP may change (sources, secrets, proxy trust, admin token); the routes
    /// read it per request and `Reloader` replaces it.
    let live: LiveSettingsCell
    let admin: AdminRoutes
    let rejectsRoute: RejectsRoute
    let fetcher: RecordFetcher
    let hooks: HookSet
    let console: ConsoleAPI
    /// The background check of the segments the snapshot covers (`check_covered`).
    let coveredCheck: CoveredCheckProgress?
    /// How often retention and a snapshot check run. Default hourly.
    static let maintenanceIntervalMs: Int64 = 3_600_000

    /// Recovers the log under `storage.dir` and starts its threads. Throws what recovery found
    /// (a damaged segment with its offset, a held lock, an unreadable folder).
    init(config: Config, server: Server, clock: any Clock = SystemClock()) throws {
        let box = StoreBox()
        let wake = server.loop.makeNotifier { box.store?.collect() }
        var options = LogOptions()
        options.segmentBytes = config.storage.segmentBytes
        options.maxBatchRecords = config.storage.maxBatchRecords
        options.snapshotEveryEvents = config.storage.snapshotEveryEvents
        options.retentionDays = config.storage.retentionDays
        options.dedupExtraDays = config.storage.dedupExtraDays
        options.ackedMarkIntervalMs = config.storage.ackedMarkIntervalMs
        options.coveredCheck = config.storage.checkCovered
        options.clock = clock
        var limits = LogLimits()
        // Every body the HTTP layer accepts must fit a record.
        limits.maxBodyBytes = max(limits.maxBodyBytes, config.server.maxBodyBytes)
        // Retention keeps every segment some hook has not delivered or parked.
        let progress = HookProgress(hasHooks: !config.hooks.isEmpty)
        let opened = try Log.open(
            dir: config.storage.dir, options: options, limits: limits, isDelivered: { progress.isDelivered($0) },
            onDurable: { wake.notify() })
        Journal.info("log: \(opened.report.summary)")
        coveredCheck = opened.coveredCheck
        store = EventStore(opened: opened)
        box.store = store
        rejects = try RejectStore(dir: config.storage.dir, options: RejectStoreOptions(config.storage), limits: limits, clock: clock)
        let live = LiveSettingsCell(LiveSettings(config))
        self.live = live
        ingest = IngestRoute(
            table: live.current.sources, store: store, rejects: rejects, metrics: metrics, clock: clock, limits: limits)
        let loop = server.loop
        fetcher = try RecordFetcher(reader: store.reader, executor: loop.executor)
        admin = AdminRoutes(store: store, fetcher: fetcher, metrics: metrics, limits: AdminRoutes.Limits(config.server)) { ms, action in
            let timer = loop.makeTimer(action)
            loop.schedule(timer, afterMs: ms)
            return {
                loop.cancel(timer)
                loop.releaseTimer(timer)
            }
        }
        hooks = try HookSet(
            hooks: config.hooks, storageDir: config.storage.dir, store: store, fetcher: fetcher, loop: loop, clock: clock, progress: progress,
            retentionDays: config.storage.retentionDays, parkedMaxBytes: config.storage.hookParkedMaxBytes)
        console = try ConsoleAPI(
            store: store, fetcher: fetcher, metrics: metrics, clock: clock, maxResults: config.server.maxEventsPage,
            logDir: Log.logDirectory(config.storage.dir), executor: loop.executor)
        rejectsRoute = try RejectsRoute(ingest: ingest, storageDir: config.storage.dir, executor: loop.executor)
        var timer: TimerID?
        let maintenance = loop.makeTimer { [store] in
            store.requestMaintenance()
            if let timer { loop.schedule(timer, afterMs: Self.maintenanceIntervalMs) }
        }
        timer = maintenance
        loop.schedule(maintenance, afterMs: Self.maintenanceIntervalMs)
        // Expiry runs a few shards a turn (`EventStore.stepExpiry`), one turn a millisecond
        // while a pass is under way, so ingest and queries go on between turns.
        var expiryTimer: TimerID?
        let expiry = loop.makeTimer { [store] in
            if store.stepExpiry(), let expiryTimer { loop.schedule(expiryTimer, afterMs: 1) }
        }
        expiryTimer = expiry
        store.onExpiryPending = { loop.schedule(expiry, afterMs: 1) }
        declareMetrics(server: server)
        metrics.renderExtra.append { [hooks] out in HookMetrics.render(hooks, to: &out) }
    }

    /// The full routing table: health, ingest, admin API. Built once; what a reload changes is
    /// read from `live` per request.
    func router(isReady: @escaping () -> Bool) -> Router {
        var router = DefaultRoutes.router(adminToken: { [live] in live.current.adminToken }, isReady: isReady)
        admin.scheme = { [live] in live.current.schemeTable.scheme(ofSource: $0) }
        router.add(["*"], "/hooks/{source}", on: [.ingest], bodyLimit: { [ingest] in ingest.bodyLimit($0) }) { [ingest] request, responder in
            ingest.handle(request, responder)
        }
        admin.install(into: &router)
        HooksRoute(hooks: hooks).install(into: &router)
        rejectsRoute.install(into: &router)
        let maxPage = admin.limits.maxEventsPage
        router.add(["GET", "HEAD"], "/v1/rejects", on: [.admin]) { [rejectsRoute] r, a in rejectsRoute.list(r, a, maxPage: maxPage) }
        console.sources = { [live] in live.current.schemes.keys.sorted() }
        console.install(into: &router)
        ConsoleRoute.install(into: &router)
        return router
    }

    /// Whether the log takes writes (`/readyz`).
    var isWritable: Bool { store.writer.isWritable && store.fatalError == nil }

    /// Stops the log's threads after the server drained (every answer sent).
    func shutdown() {
        hooks.shutdown()
        store.shutdown()
        rejects.shutdown()
        fetcher.shutdown()
        rejectsRoute.shutdown()
        console.shutdown()
    }

    private func declareMetrics(server: Server) {
        ServerMetrics.declare(metrics)
        metrics.declare("payhook_log_last_seq", .gauge, help: "Seq of the newest durable record.")
        metrics.declare("payhook_log_fdatasync_total", .counter, help: "fdatasync calls of the log writer (one per group commit).")
        metrics.declare("payhook_log_records_total", .counter, help: "Records made durable since start.")
        metrics.declare(
            "payhook_snapshot_failures_total", .counter,
            help: "Index snapshot, high-water mark or retention passes that failed (each retried at the next one).")
        metrics.declare("payhook_payments", .gauge, help: "Payments in the last-seen status index.")
        metrics.declare("payhook_log_writable", .gauge, help: "1 while the log takes writes.")
        metrics.declare("payhook_rejects_stored_total", .counter, help: "Refused requests kept in the rejects store.")
        metrics.declare(
            "payhook_rejects_dropped_total", .counter,
            help: "Refused requests not kept, by cause (sampled, queue_full, too_large, disk_reserve, write_failed, shutdown).",
            labels: ["cause"])
        metrics.declare(
            "payhook_log_covered_checked_segments", .gauge,
            help: "Segments the snapshot covered at start-up that the background check has read (check_covered = after_ready).")
        metrics.declare(
            "payhook_log_covered_damaged", .gauge,
            help: "1 when the background check found damage in a segment the snapshot covers (the journal says where).")
        metrics.declare("payhook_log_lines_dropped_total", .counter, help: "Log lines dropped because stderr was not read fast enough.")
        metrics.declare(
            "payhook_status_cache_hits_total", .counter, help: "Status queries answered from a kept answer (status_cache_entries).")
        metrics.declare(
            "payhook_status_cache_misses_total", .counter, help: "Status queries of a known payment whose answer was rendered (and then kept).")
        // `unowned`, not `weak`: a weak reference gives the server a side table, and then every
        // retain of it (several per request on the connections' path) takes the slow path. The
        // metrics render on its loop, which it outlives.
        metrics.beforeRender = { [unowned self, unowned server] m in
            ServerMetrics.export(m, server: server, writer: store.writer)
            m.set("payhook_log_last_seq", to: Double(store.index.lastSeq))
            m.set("payhook_log_fdatasync_total", to: Double(store.writer.fdatasyncCount))
            m.set("payhook_log_records_total", to: Double(store.writer.recordCount))
            m.set("payhook_snapshot_failures_total", to: Double(store.writer.snapshotFailureCount))
            m.set("payhook_payments", to: Double(store.index.paymentCount))
            m.set("payhook_log_writable", to: isWritable ? 1 : 0)
            m.set("payhook_rejects_stored_total", to: Double(rejects.storedCount))
            for cause in RejectDropCause.allCases {
                m.set("payhook_rejects_dropped_total", [cause.label], to: Double(rejects.droppedCount(cause)))
            }
            m.set("payhook_log_lines_dropped_total", to: Double(Journal.droppedLines))
            m.set("payhook_status_cache_hits_total", to: Double(admin.answers.hits))
            m.set("payhook_status_cache_misses_total", to: Double(admin.answers.misses))
            let check = coveredCheck
            m.set("payhook_log_covered_checked_segments", to: Double(check?.checked.load(ordering: .relaxed) ?? 0))
            m.set("payhook_log_covered_damaged", to: check?.damaged == nil ? 0 : 1)
        }
    }
}

extension RejectStoreOptions {
    /// The rejects store's bounds from `[storage]`.
    init(_ s: Config.Storage) {
        self.init()
        maxBytes = s.rejectsMaxBytes
        segments = s.rejectsSegments
        reserveBytes = Int64(s.rejectsReserveBytes)
        queueEntries = s.rejectsQueueEntries
        queueBytes = s.rejectsQueueBytes
        clientRatePerSecond = s.rejectsClientRatePerSecond
        clientBurst = s.rejectsClientBurst
        maxClients = s.rejectsMaxClients
        shutdownMs = s.rejectsShutdownMs
    }
}

/// Lets the writer's wake-up reach the store created after the log was opened.
private final class StoreBox {
    // Written once on the main thread before the loop runs; read on the loop thread.
    var store: EventStore?
}
