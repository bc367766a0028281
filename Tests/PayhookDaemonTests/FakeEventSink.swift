import PayhookCore
import PayhookLog
import PayhookStore

@testable import PayhookDaemon

/// An `EventSink` whose appends complete only when the test says so (`complete`), as if the
/// writer thread were still in fdatasync. It keeps a real `LogIndex` for what is durable and the
/// real `PendingEvents` for what is not, so the tests pin the logic the live `EventStore` runs.
final class FakeEventSink: EventSink {
    private(set) var index = LogIndex()
    private var pending = PendingEvents()
    /// Appends not yet completed, oldest first.
    private var queue: [(payload: LogPayload, event: NormalizedEvent, completion: Completion)] = []
    /// Every `recordDuplicate` call, in order.
    private(set) var duplicates: [DuplicateMarker] = []
    /// Every event handed to `append`, in order.
    private(set) var appended: [NormalizedEvent] = []

    /// Appends waiting for `complete`.
    var waitingCount: Int { queue.count }
    /// Events still overlaid (`PendingEvents.count`): 0 once every append was answered.
    var pendingCount: Int { pending.count }

    func storedSeq(of event: NormalizedEvent) -> UInt64? { index.dedup(event) }

    func status(source: String, paymentID: String) -> PaymentStatus? {
        pending.status(source: source, paymentID: paymentID, over: index.lookup(source: source, paymentID: paymentID)?.status)
    }

    func append(_ request: StoredRequest, _ event: NormalizedEvent, completion: @escaping Completion) {
        pending.add(event)
        appended.append(event)
        queue.append((.event(request, event), event, completion))
    }

    func recordDuplicate(_ marker: DuplicateMarker, receivedAtMs: Int64) {
        duplicates.append(marker)
        apply(.duplicate(marker, receivedAtMs: receivedAtMs))
    }

    func awaitInFlight(_ id: String, completion: @escaping Completion) -> Bool { pending.wait(for: id, completion) }

    /// Completes the oldest waiting append: durable with the next seq, or failed with `error`.
    /// The original's completion runs first, then the copies that waited for it.
    func complete(failing error: LogWriteError? = nil) {
        precondition(!queue.isEmpty, "no append is waiting")
        let (payload, event, completion) = queue.removeFirst()
        let result: Result<UInt64, LogWriteError> = error.map { .failure($0) } ?? .success(apply(payload))
        let copies = pending.finish(event)
        completion(result)
        for c in copies { c(result) }
    }

    /// Folds a record into the index at the next seq, all in one pretend segment.
    @discardableResult
    private func apply(_ payload: LogPayload) -> UInt64 {
        let seq = index.nextSeq
        let location = RecordLocation(segmentFirstSeq: 1, offset: Int64(seq - 1) * 100)
        index.apply(payload, at: AppendedRecord(seq: seq, location: location), frameBytes: 100)
        return seq
    }
}
