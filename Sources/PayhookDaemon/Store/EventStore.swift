import PayhookCore
import PayhookLog
import PayhookStore

/// The loop thread's side of the durable log: hands records to the writer thread, collects
/// their completions when the writer wakes the loop, keeps the index in step, and tells the
/// waiting requests. Every method runs on the loop thread; nothing here touches the disk (the
/// admin API reads records through `RecordFetcher`, on its own thread).
final class EventStore: EventSink {

    let writer: LogWriter
    let reader: LogReader
    /// `@exclusivity(unchecked)`: loop thread only, never through overlapping accesses; the
    /// dynamic check ran on every status query's read of it.
    @exclusivity(unchecked) private(set) var index: LogIndex

    private struct Waiting {
        let payload: LogPayload
        let completion: Completion?
    }
    private var nextTicket: UInt64 = 1
    private var waiting: [UInt64: Waiting] = [:]
    /// Events submitted and not yet durable: the copies waiting for them and their statuses,
    /// which `status` overlays on the index.
    private var pending = PendingEvents()
    /// Called after each batch of durable events (long polls).
    private var observers: [UInt64: () -> Void] = [:]
    private var nextObserver: UInt64 = 1
    /// Retention's progress already folded into `index`.
    private var droppedThroughSeq: UInt64 = 0
    /// Expiry: the seq the last pass started for, and the pass under way (a few shards a turn,
    /// `stepExpiry`).
    private var expiredThroughSeq: UInt64 = 0
    private(set) var expiryPass: ExpiryPass?
    /// Called when a pass starts or has work left, to have `stepExpiry` called at a later turn
    /// (the runtime's timer).
    var onExpiryPending: (() -> Void)?
    /// Called when a pass completed: expired payments are out of the index.
    var onPaymentsExpired: (() -> Void)?
    /// Called at each expiry turn for work kept beside the index (the console's search); true
    /// while it has work left.
    var onExpiryTurn: (() -> Bool)?
    /// Set when fdatasync failed: the daemon must stop (see `design.md`, Log).
    private(set) var fatalError: LogWriteError?
    var onFatal: ((LogWriteError) -> Void)?

    init(opened: OpenedLog) {
        writer = opened.writer
        reader = opened.reader
        index = opened.index
    }

    /// Records submitted and not yet answered by the writer.
    var pendingCount: Int { waiting.count }

    func storedSeq(of event: NormalizedEvent) -> UInt64? { index.dedup(event) }

    /// `LogIndex.withPaymentRecord` on the live index (passed by address: no copy of the index
    /// per status query). `body` must not touch the store.
    func withPaymentRecord(
        source: UnsafeRawBufferPointer, paymentID: UnsafeRawBufferPointer, _ body: (PaymentRecordBytes, () -> PaymentFieldsView) -> Void
    ) -> Bool {
        index.withPaymentRecord(source: source, paymentID: paymentID, body)
    }

    /// `LogIndex.paymentChangeStamp` on the live index (by address, like `withPaymentRecord`).
    func paymentChangeStamp(keyHash: UInt64) -> PaymentChangeStamp { index.paymentChangeStamp(keyHash: keyHash) }

    /// `LogIndex.prefetchPaymentChangeStamp` on the live index.
    func prefetchPaymentChangeStamp(keyHash: UInt64) { index.prefetchPaymentChangeStamp(keyHash: keyHash) }

    func status(source: String, paymentID: String) -> PaymentStatus? {
        pending.status(source: source, paymentID: paymentID, over: index.lookup(source: source, paymentID: paymentID)?.status)
    }

    /// Appends an authentic notification; `completion` runs on the loop once it is durable
    /// (with its seq) or failed. Duplicates of it that arrive meanwhile wait via `awaitInFlight`.
    func append(_ request: StoredRequest, _ event: NormalizedEvent, completion: @escaping Completion) {
        pending.add(event)
        submit(.event(request, event), completion: completion)
    }

    /// Records a duplicate delivery compactly; nobody waits for it (the original is durable).
    func recordDuplicate(_ marker: DuplicateMarker, receivedAtMs: Int64) {
        submit(.duplicate(marker, receivedAtMs: receivedAtMs), completion: nil)
    }

    /// When `id` is being written now, queues `completion` to run with the original's result.
    func awaitInFlight(_ id: String, completion: @escaping Completion) -> Bool {
        pending.wait(for: id, completion)
    }

    /// Appends a record that is no event (a hook's park record); `completion` runs once it is
    /// durable or failed.
    func appendRecord(_ payload: LogPayload, completion: @escaping Completion) {
        submit(payload, completion: completion)
    }

    private func submit(_ payload: LogPayload, completion: Completion?) {
        let ticket = nextTicket
        nextTicket += 1
        waiting[ticket] = Waiting(payload: payload, completion: completion)
        writer.submit(payload, ticket: ticket)
    }

    /// Collects what the writer finished (called when its eventfd fired). Completions come in
    /// seq order, so the index is applied in order.
    func collect() {
        dropRetired()
        var appendedEvents = false
        for done in writer.takeCompletions() {
            guard let entry = waiting.removeValue(forKey: done.ticket) else { continue }
            let result: Result<UInt64, LogWriteError>
            switch done.result {
            case .success(let appended):
                index.apply(entry.payload, at: appended, frameBytes: done.frameBytes)
                if case .event(_, let event) = entry.payload { onEventApplied?(event) }
                result = .success(appended.seq)
                if case .event = entry.payload { appendedEvents = true }
            case .failure(let error):
                result = .failure(error)
                if case .failed = error, fatalError == nil {
                    fatalError = error
                    onFatal?(error)
                }
            }
            // Out of the overlay before anyone is answered: durable, the index holds it now;
            // failed, it never happened.
            var copies: [Completion] = []
            if case .event(_, let event) = entry.payload { copies = pending.finish(event) }
            entry.completion?(result)
            for c in copies { c(result) }
        }
        writer.applied(index)
        if appendedEvents {
            let current = observers
            for (_, o) in current { o() }
        }
    }

    /// Forgets the locations of segments retention deleted on the snapshot thread (an atomic
    /// load per batch; the index work only when retention moved).
    private func dropRetired() {
        // Expiry is loaded first: the worker publishes it after the retirement it covers, so
        // the drop below has already brought those segments into `index.retired`.
        let expired = writer.expiredThroughSeq
        let retired = writer.retiredThroughSeq
        if retired > droppedThroughSeq {
            index.dropSegments(through: retired)
            droppedThroughSeq = retired
        }
        if expired > expiredThroughSeq, expiryPass == nil {
            // A newer seq that arrives mid-pass waits for it to complete (then starts here).
            expiryPass = ExpiryPass(through: expired)
            expiredThroughSeq = expired
            onExpiryPending?()
        }
    }

    /// One turn of expiry: the next `LogIndex.expiryShardsPerTurn` shards of the pass under way,
    /// then `onExpiryTurn`. True while work is left (call again at a later turn). A full pass
    /// at once would hold the loop for a scan of the whole index (~0.2 s per million entries).
    @discardableResult
    func stepExpiry() -> Bool {
        if var pass = expiryPass {
            let done = index.expire(&pass)
            expiryPass = done ? nil : pass
            if done {
                onPaymentsExpired?()
                dropRetired()  // a newer seq published meanwhile starts its pass now
            }
        }
        let follower = onExpiryTurn?() ?? false
        return expiryPass != nil || follower
    }

    /// Hands the snapshot thread a copy of the index and asks for retention and expiry (the
    /// maintenance timer).
    func requestMaintenance() { writer.requestMaintenance(index) }

    /// Stops the writer: drains it, collects the last completions into the index, has the
    /// snapshot thread write the final snapshot of it, and joins both threads.
    func shutdown() {
        writer.shutdown { [self] in
            collect()
            return index
        }
        collect()
    }

    /// Called with each event once it is durable and in the index (before its completion).
    var onEventApplied: ((NormalizedEvent) -> Void)?

    /// Registers `action` to run after every batch that made events durable.
    func observe(_ action: @escaping () -> Void) -> UInt64 {
        let id = nextObserver
        nextObserver += 1
        observers[id] = action
        return id
    }

    func stopObserving(_ id: UInt64) { observers[id] = nil }

    /// Where the records with seqs in `seqs` lie (absent ones, e.g. deleted by retention, are
    /// skipped). Memory only.
    func locations(_ seqs: some Sequence<UInt64>) -> [RecordLocation] {
        seqs.compactMap { index.location(of: $0) }
    }
}
