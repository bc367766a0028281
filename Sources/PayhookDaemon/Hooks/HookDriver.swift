import PayhookCore
import PayhookHooks
import PayhookLog
import PayhookPosix
import PayhookStore

/// One hook, running on the loop: reads the log in order (through `HookReader`, so the loop
/// never waits for the disk nor encodes event JSON), feeds `DeliveryState`, performs the actions it returns (send, park,
/// persist the cursor), and wakes when new events become durable or a retry is due.
final class HookDriver {
    let hook: Config.Hook
    let loop: EventLoop
    let store: EventStore
    let fetcher: RecordFetcher
    let reader: HookReader
    let clock: any Clock
    let cursorPath: String
    /// Hands a cursor to the background writer (one fsync pair per batch).
    let persist: (String, HookCursor) -> Void
    /// Hands a change of the parked list to the same writer (appended before any cursor of its batch).
    let persistParked: (ParkedChange) -> Void
    /// Called after the durable cursor moved (retention's view of this hook).
    var onPersisted: () -> Void = {}
    /// Parked and not delivered since (durable: `<hook>.parked`, see `ParkedList.swift`).
    var parked: ParkedList
    /// Parked seqs re-queued by `retry-parked` and not finished yet (memory only).
    var retrying: Set<UInt64> = []
    /// The operator's replay: the next seq to read and the last (the scan position at the ask).
    var replayNext: UInt64 = 1
    var replayEnd: UInt64 = 0
    var replayReading = false
    var state: DeliveryState
    let key: HookSigningKey?
    let target: HookTarget?
    var connections: [HookConnection] = []
    var children: [HookChild] = []
    /// The publisher of a `nats_url` hook (`HookDriver+NATS.swift`).
    var nats: HookNATS?
    /// Event JSON of accepted events, so a send does not read the log again (bounded; beyond
    /// it the send reads the record back, one round trip to the reader thread per event).
    var bodies: [UInt64: [UInt8]] = [:]
    static let maxCachedBodies = 16_384
    /// The scan stops reading ahead while this many events are ready to send: a backlog is read
    /// as fast as it is delivered, so every ready event's JSON is still cached (measured: reading
    /// 100,000 events ahead sent most of them through a per-event log read, 6,400 events/s).
    /// Events held behind a failing payment are not ready and do not stop the scan.
    static let maxScanAhead = 4096
    /// Receive time of each accepted event (lag in seconds).
    var receivedAt: [UInt64: Int64] = [:]
    /// The lowest seq not done in the last durable cursor: retention keeps it.
    private(set) var durableLowSeq: UInt64
    var stats = HookStats()
    /// This hook's `/metrics` line prefixes, rendered once.
    let metricLines: HookMetrics.Lines
    /// The hook-wide connect backoff (`HookDriver+Backoff.swift`).
    var connectFailures = 0
    var connectBlockedUntilMs: Int64 = 0
    var deferredSends: [() -> Void] = []
    var backoffTimer: TimerID?
    var rng = SystemRandomNumberGenerator()
    private var reading = false
    private(set) var stopped = false
    private var timer: TimerID?
    /// Seqs read from the log per fetch.
    static let scanBatch = 512

    init(
        hook: Config.Hook, cursor: HookCursor, loop: EventLoop, store: EventStore, fetcher: RecordFetcher, reader: HookReader,
        clock: any Clock, cursorPath: String, parked: ParkedList, persist: @escaping (String, HookCursor) -> Void,
        persistParked: @escaping (ParkedChange) -> Void
    ) {
        self.parked = parked
        self.persistParked = persistParked
        self.hook = hook
        self.loop = loop
        self.store = store
        self.fetcher = fetcher
        self.reader = reader
        self.clock = clock
        self.cursorPath = cursorPath
        self.persist = persist
        let filter = HookFilter(
            sources: hook.sources.isEmpty ? nil : Set(hook.sources), statuses: hook.statuses.isEmpty ? nil : Set(hook.statuses),
            kinds: hook.kinds.isEmpty ? nil : Set(hook.kinds), quarantined: hook.quarantined)
        let limits = DeliveryLimits(
            maxInFlight: hook.maxInFlight, retryMaxIntervalMs: hook.retryMaxIntervalMs, retryMaxAgeMs: hook.retryMaxAgeMs)
        state = DeliveryState(filter: filter, limits: limits, cursor: cursor)
        key = hook.signingSecret.flatMap { HookSigningKey(secret: String(decoding: $0, as: UTF8.self)) }
        if case .url(let url) = hook.target { target = HookTarget(url: url) } else { target = nil }
        durableLowSeq = cursor.pending.first?.seq ?? cursor.scanSeq
        metricLines = HookMetrics.Lines(hook: hook.name)
        startNATS()
        timer = loop.makeTimer { [unowned self] in
            perform(state.tick(nowMs: clock.nowUnixMs()))
        }
    }

    var name: String { hook.name }

    /// Reads on when idle: the restored seqs first, then from the scan position to the newest
    /// durable record. Called at start, when events became durable and after each batch.
    func pump() {
        guard !reading, !stopped else { return }
        let restore = state.seqsToRestore
        let seqs: [UInt64]
        if !restore.isEmpty {
            seqs = Array(restore.prefix(Self.scanBatch))
        } else {
            let last = store.index.lastSeq
            guard !state.paused, state.scanSeq <= last, state.readyCount < Self.maxScanAhead else { return }
            seqs = Array(state.scanSeq...min(last, state.scanSeq + UInt64(Self.scanBatch) - 1))
        }
        reading = true
        reader.fetch(store.locations(seqs), filter: state.filter) { [weak self] items, failure in
            guard let self, !stopped else { return }
            reading = false
            scanned(seqs, items: items, failure: failure)
        }
    }

    private func scanned(_ seqs: [UInt64], items: [HookReader.Item], failure: LogReadError?) {
        let now = clock.nowUnixMs()
        // Items come in the order of `seqs`, without those retention removed.
        var next = items.startIndex
        for seq in seqs {
            let item = next < items.endIndex && items[next].seq == seq ? items[next] : nil
            if item != nil { next += 1 }
            if failure != nil && item == nil {
                // A read error is not "gone": stop here and try again later, never skip.
                Journal.error("hook \(name): reading seq \(seq): \(failure!)")
                loop.schedule(timer!, afterMs: 1000)
                return
            }
            guard let item, let summary = item.event else {
                perform(state.skip(seq, nowMs: now))
                continue
            }
            if let json = item.json {
                if bodies.count < Self.maxCachedBodies { bodies[seq] = json }
                receivedAt[seq] = item.receivedAtMs
            }
            let actions = state.offer(summary, nowMs: now)
            if actions.contains(.pauseScan) && state.scanSeq <= seq {
                bodies[seq] = nil
                receivedAt[seq] = nil
                perform(actions)
                return
            }
            perform(actions)
        }
        pump()
    }

    /// Performs what the state asked for, then sets the timer to its next wake.
    func perform(_ actions: [DeliveryState.Action]) {
        guard !stopped else { return }
        for action in actions {
            switch action {
            case .send(let event, let attempt): send(event, attempt: attempt)
            case .park(let record): park(record)
            case .pauseScan: break
            case .resumeScan: pump()
            case .persistCursor(let cursor): persisted(cursor)
            }
        }
        if let wake = state.nextWakeMs, let timer {
            loop.schedule(timer, afterMs: max(0, wake - clock.nowUnixMs()))
        }
        if replayNext <= replayEnd { pumpReplay() }
    }

    private func persisted(_ cursor: HookCursor) {
        persist(cursorPath, cursor)
        durableLowSeq = cursor.pending.first?.seq ?? cursor.scanSeq
        onPersisted()
    }

    /// Reports an attempt's end to the state and performs what follows.
    func finished(_ event: HookEvent, outcome: DeliveryState.Outcome, failure: HookFailure?) {
        guard !stopped else { return }
        let now = clock.nowUnixMs()
        if target != nil {
            if failure?.cause == .connect { connectFailed(nowMs: now) } else { connectSucceeded() }
        }
        if let failure {
            stats.failed[failure.cause, default: 0] += 1
            stats.lastError = failure.message
            stats.lastErrorAtMs = now
        } else {
            stats.delivered += 1
            if let at = receivedAt[event.seq] { stats.latency.observe(Double(max(0, now - at)) / 1000) }
            bodies[event.seq] = nil
            receivedAt[event.seq] = nil
            retrying.remove(event.seq)
            // Delivered after all (retry-parked, replay): no longer parked, durably.
            if parked.remove(event.seq) { persistParked(.delivered(event.seq)) }
        }
        perform(state.attemptFinished(seq: event.seq, outcome: outcome, nowMs: now, using: &rng))
        // The ready queue shrank: the scan may read ahead again.
        pump()
    }

    /// The event JSON of `seq`, from the cache or read back from the log (nil: the record is gone).
    func body(of seq: UInt64, _ done: @escaping ([UInt8]?) -> Void) {
        if let body = bodies[seq] { return done(body) }
        // A parked event's JSON is in its park entry: the log record may be gone.
        if let p = parked[seq], !p.eventJSON.isEmpty { return done(p.eventJSON) }
        reader.fetch(store.locations([seq]), filter: nil) { items, _ in done(items.first?.json) }
    }

    /// Stops delivery (shutdown or the hook was removed) and returns the cursor to write now.
    func stop() -> HookCursor {
        stopped = true
        for c in connections { c.release() }
        connections = []
        for child in children { child.kill() }
        children = []
        nats?.close()
        nats = nil
        if let timer { loop.releaseTimer(timer) }
        timer = nil
        if let backoffTimer { loop.releaseTimer(backoffTimer) }
        backoffTimer = nil
        deferredSends = []
        return state.takeCursor()
    }

    /// Events known and not done, and the age of the oldest (for `/v1/hooks` and metrics).
    var lagEvents: UInt64 {
        let last = store.index.lastSeq
        let unscanned = last >= state.scanSeq ? last - state.scanSeq + 1 : 0
        return unscanned + UInt64(state.heldCount + state.inFlight)
    }

    var lagSeconds: Double {
        guard let oldest = receivedAt.values.min() else { return 0 }
        return Double(max(0, clock.nowUnixMs() - oldest)) / 1000
    }
}

/// Counters of one hook since start.
struct HookStats {
    var delivered: UInt64 = 0
    var failed: [HookFailureCause: UInt64] = [:]
    var parked: UInt64 = 0
    /// Seconds from durable (receive time) to delivered, first attempts and retries alike.
    var latency = Histogram()
    var lastError: String?
    var lastErrorAtMs: Int64?
    var failedTotal: UInt64 { failed.values.reduce(0, +) }
}
