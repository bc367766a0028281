import PayhookCore
import PayhookLog
import PayhookStore

/// The events a sink has appended and the log has not yet made durable, as ingest must see them
/// before the index does:
/// - their ids: a copy arriving meanwhile waits for the original's result instead of being
///   appended twice (`wait`);
/// - their statuses: normalization reads a payment's last-seen status through them (`status`),
///   so a Noventiq `deleted` in the same group-commit batch as the `succeeded` before it is a
///   refund, as it would be one batch later.
///
/// An event leaves when the log answers (`finish`): once durable the index holds it; once
/// failed it never happened, so its status must vanish too (the provider was told to send it
/// again). An event normalized while an earlier one was pending keeps what it was given when
/// the earlier append then fails (it may be answered already); the provider resends the failed
/// one (503), and the status rank keeps the payment where the provider's own order puts it.
/// A value owned by the loop thread, like the index.
struct PendingEvents {
    /// Per pending event id (byte for byte, like the index's dedup table): the copies waiting.
    private var waiters: [ByteString: [EventSink.Completion]] = [:]
    /// Per payment, its pending events' ids and statuses in append order.
    private var statuses: [PaymentKey: [(id: ByteString, status: PaymentStatus)]] = [:]

    /// Events appended and not yet answered.
    var count: Int { waiters.count }

    /// Whether payments have pending statuses (for tests: empty once everything was answered).
    var pendingPaymentCount: Int { statuses.count }

    /// Notes an event handed to the log.
    mutating func add(_ event: NormalizedEvent) {
        let id = ByteString(event.id)
        precondition(waiters[id] == nil, "event \(event.id) appended while a copy is in flight")
        waiters[id] = []
        guard let paymentID = event.paymentID else { return }
        statuses[PaymentKey(source: event.source, paymentID: paymentID), default: []].append((id, event.status))
    }

    /// Queues `completion` behind the pending event `id`; false when no such event is pending.
    mutating func wait(for id: String, _ completion: @escaping EventSink.Completion) -> Bool {
        let key = ByteString(id)
        guard waiters[key] != nil else { return false }
        waiters[key]!.append(completion)
        return true
    }

    /// Forgets `event` now that the log answered, and returns the copies that waited for it.
    mutating func finish(_ event: NormalizedEvent) -> [EventSink.Completion] {
        let id = ByteString(event.id)
        if let paymentID = event.paymentID {
            let key = PaymentKey(source: event.source, paymentID: paymentID)
            statuses[key]?.removeAll { $0.id == id }
            if statuses[key]?.isEmpty == true { statuses[key] = nil }
        }
        return waiters.removeValue(forKey: id) ?? []
    }

    /// `indexed` (the durable last-seen status) with the payment's pending statuses folded over
    /// it in append order, by the rule the index applies (`PaymentStatus.replaces`).
    func status(source: String, paymentID: String, over indexed: PaymentStatus?) -> PaymentStatus? {
        var current = indexed
        for pending in statuses[PaymentKey(source: source, paymentID: paymentID)] ?? []
        where PaymentStatus.replaces(pending.status, current: current) {
            current = pending.status
        }
        return current
    }
}
