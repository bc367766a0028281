import PayhookCore
import PayhookLog
import PayhookStore

/// What ingest needs from the store, and nothing more: the dedup and status lookups that
/// normalization and dedup read, the append that makes an event durable, the compact record of
/// a duplicate, and the wait for a copy of an event still being written.
///
/// The live sink is `EventStore` (the log, on the loop thread); the unit tests use a fake that
/// completes appends when the test says so. Every method runs on the loop thread; completions
/// run there too, later (never from inside `append`).
protocol EventSink: AnyObject {
    typealias Completion = (Result<UInt64, LogWriteError>) -> Void

    /// The seq of the durable notification with `event`'s identity, if any.
    func storedSeq(of event: NormalizedEvent) -> UInt64?

    /// The last-seen status of a payment as normalization must see it: the durable index with
    /// the events appended and not yet durable folded over it, in append order (`PendingEvents`).
    /// `nil` when the payment was never seen.
    func status(source: String, paymentID: String) -> PaymentStatus?

    /// Appends an authentic notification; `completion` runs once it is durable (with its seq)
    /// or failed. Until then `status` sees it and copies of it wait in `awaitInFlight`.
    func append(_ request: StoredRequest, _ event: NormalizedEvent, completion: @escaping Completion)

    /// Records a duplicate delivery compactly; nobody waits for it (the original is durable).
    func recordDuplicate(_ marker: DuplicateMarker, receivedAtMs: Int64)

    /// When an event with id `id` is being written now, queues `completion` to run with the
    /// original's result (success or failure) and returns true; false otherwise.
    func awaitInFlight(_ id: String, completion: @escaping Completion) -> Bool
}
