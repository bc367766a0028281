import PayhookCore
import PayhookLog
import PayhookStore

/// The loop thread's side of the durable log: hands records to the writer thread, collects
/// their completions when the writer wakes the loop, keeps the index in step, and tells the
/// waiting requests. Every method runs on the loop thread; nothing here touches the disk (the
/// admin API reads records through `RecordFetcher`, on its own thread).
final class EventStore {
    typealias Completion = (Result<UInt64, LogWriteError>) -> Void

    let writer: LogWriter
    let reader: LogReader
    private(set) var index: LogIndex

    private struct Waiting {
        let payload: LogPayload
        let completion: Completion?
    }
    private var nextTicket: UInt64 = 1
    private var waiting: [UInt64: Waiting] = [:]
    /// Event ids submitted and not yet durable, with the duplicates that arrived meanwhile
    /// (compared byte for byte, like the index's dedup table).
    private var inFlight: [ByteString: [Completion]] = [:]
    /// Called after each batch of durable events (long polls).
    private var observers: [UInt64: () -> Void] = [:]
    private var nextObserver: UInt64 = 1
    /// Retention's progress already folded into `index`.
    private var droppedThroughSeq: UInt64 = 0
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

    /// Appends an authentic notification; `completion` runs on the loop once it is durable
    /// (with its seq) or failed. Duplicates of it that arrive meanwhile wait via `awaitInFlight`.
    func append(_ request: StoredRequest, _ event: NormalizedEvent, completion: @escaping Completion) {
        inFlight[ByteString(event.id)] = []
        submit(.event(request, event), completion: completion)
    }

    /// Records a duplicate delivery compactly; nobody waits for it (the original is durable).
    func recordDuplicate(_ marker: DuplicateMarker, receivedAtMs: Int64) {
        submit(.duplicate(marker, receivedAtMs: receivedAtMs), completion: nil)
    }

    /// When `id` is being written now, queues `completion` to run with the original's result.
    func awaitInFlight(_ id: String, completion: @escaping Completion) -> Bool {
        let key = ByteString(id)
        guard inFlight[key] != nil else { return false }
        inFlight[key]!.append(completion)
        return true
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
                result = .success(appended.seq)
                if case .event = entry.payload { appendedEvents = true }
            case .failure(let error):
                result = .failure(error)
                if case .failed = error, fatalError == nil {
                    fatalError = error
                    onFatal?(error)
                }
            }
            entry.completion?(result)
            if case .event(_, let event) = entry.payload, let duplicates = inFlight.removeValue(forKey: ByteString(event.id)) {
                for d in duplicates { d(result) }
            }
        }
        if appendedEvents {
            let current = observers
            for (_, o) in current { o() }
        }
    }

    /// Forgets the locations of segments retention deleted on the snapshot thread (an atomic
    /// load per batch; the index work only when retention moved).
    private func dropRetired() {
        let retired = writer.retiredThroughSeq
        guard retired > droppedThroughSeq else { return }
        index.dropSegments(through: retired)
        droppedThroughSeq = retired
    }

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
