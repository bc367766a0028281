import PayhookCore
import PayhookLog

/// The last-seen status of every payment, by (source, payment_id).
/// Interim form: one dictionary, one shard (the compact, sharded table replaces it).
struct PaymentTable: ShardedIndexTable {
    private(set) var states: [PaymentKey: PaymentState] = [:]

    var shardCount: Int { 1 }
    var count: Int { states.count }

    subscript(key: PaymentKey) -> PaymentState? { states[key] }

    /// Folds in an event of payment `paymentID` (the first one creates its state).
    mutating func apply(_ event: NormalizedEvent, paymentID: String) {
        let key = PaymentKey(source: event.source, paymentID: paymentID)
        if states[key] == nil {
            states[key] = PaymentState(first: event, paymentID: paymentID)
        } else {
            states[key]!.apply(event)
        }
    }

    /// A state as a snapshot stored it.
    mutating func insert(_ p: PaymentState) { states[PaymentKey(source: p.source, paymentID: p.paymentID)] = p }

    func forEach(_ body: (PaymentState) -> Void) { for p in states.values { body(p) } }

    func encodeShard(_ i: Int, into w: inout ByteWriter) {
        w.u64(UInt64(states.count))
        for p in states.values { IndexSnapshot.encode(p, into: &w) }
    }

    mutating func decodeShard(_ i: Int, from r: inout ByteReader) throws(DecodeError) {
        let n = try r.u64("payment count")
        guard n <= UInt64(r.remaining / 40) else { throw DecodeError(offset: r.offset, what: "payment count \(n) is impossible") }
        for _ in 0..<n { insert(try IndexSnapshot.decodePayment(&r)) }
    }

    mutating func releaseShard(_ i: Int) { states = [:] }

    mutating func expire(through seq: UInt64, shard i: Int) {
        var doomed: [PaymentKey] = []
        for (key, p) in states where p.lastSeq <= seq { doomed.append(key) }
        for key in doomed { states.removeValue(forKey: key) }
    }

    func heapBytes() -> Int {
        var bytes = HeapCost.dictionary(
            capacity: states.capacity, keyStride: MemoryLayout<PaymentKey>.stride, valueStride: MemoryLayout<PaymentState>.stride)
        for (key, p) in states {
            bytes += HeapCost.string(key.source) + HeapCost.string(key.paymentID)
            bytes += HeapCost.string(p.source) + HeapCost.string(p.paymentID) + HeapCost.string(p.provider)
            bytes += HeapCost.string(p.kind) + HeapCost.string(p.merchantRef) + HeapCost.string(p.providerStatus)
            bytes += HeapCost.string(p.amount) + HeapCost.string(p.currency)
            bytes += HeapCost.array(capacity: p.eventSeqs.capacity, stride: 8)
        }
        return bytes
    }
}
