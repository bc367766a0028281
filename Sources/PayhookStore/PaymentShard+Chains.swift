import PayhookCore
import PayhookLog

/// A payment as an index kept beside the table (the console's search) sees it: read in place
/// from the arena, nothing allocated. Valid until the table next changes.
public struct PaymentRefView {
    /// Where the record is (`LogIndex.payment(at:)` decodes it).
    public let place: PaymentPlace
    /// The key's stable hash (`LogIndex.paymentHash`).
    public let keyHash: UInt64
    /// The merchant ref's UTF-8 bytes, `nil` when the payment has none.
    public let merchantRef: UnsafeBufferPointer<UInt8>?
    /// The seq of the payment's first recorded event (answers are ordered by it).
    public let firstSeq: UInt64
}

/// A payment's shard and slot in the table: a handle for one pass on the loop thread, valid
/// until the table next changes (a write can move a record to another slot).
public struct PaymentPlace: Hashable, Sendable {
    public let shard: Int
    public let slot: Int
}

extension PaymentShard {
    /// Calls `body` with every record in the probe chains that start at the home slots whose
    /// low 16 bits are `homeLow16`: every record whose key hash has those low bits lies in one
    /// of them (linear probing keeps a record between its home slot and the next empty one).
    /// With more than 65,536 slots there are several such home slots and their chains can
    /// overlap: a record may then come twice (callers keep places, not counts).
    func forEachInChains(homeLow16: Int, shard: Int, interns: PaymentInterns, _ body: (PaymentRefView) -> Void) {
        guard !slots.isEmpty else { return }
        let mask = slots.count - 1
        arena.withUnsafeBufferPointer { a in
            slots.withUnsafeBufferPointer { s in
                for home in stride(from: homeLow16 & mask, to: s.count, by: 1 << 16) {
                    var i = home
                    while s[i] != 0 {
                        // Trusted: this process wrote the arena or validated it when a snapshot was read.
                        body(try! Self.refView(a, at: Int(s[i] - 1), place: PaymentPlace(shard: shard, slot: i), interns: interns).ref)
                        i = (i + 1) & mask
                    }
                }
            }
        }
    }

    /// Calls `body` with every live record of the shard, in slot order (a raw pass: no strings).
    func forEachRef(shard: Int, interns: PaymentInterns, _ body: (PaymentRecordView, PaymentRefView) -> Void) {
        arena.withUnsafeBufferPointer { a in
            for i in slots.indices where slots[i] != 0 {
                let (key, ref) = try! Self.refView(a, at: Int(slots[i] - 1), place: PaymentPlace(shard: shard, slot: i), interns: interns)
                body(key, ref)
            }
        }
    }

    /// Reads the key, merchant ref and first event seq of the record at `start`.
    static func refView(_ a: UnsafeBufferPointer<UInt8>, at start: Int, place: PaymentPlace, interns: PaymentInterns) throws(DecodeError)
        -> (key: PaymentRecordView, ref: PaymentRefView)
    {
        var r = PaymentRecordReader(a, at: start)
        let key = try PaymentRecordView.key(&r, interns: interns)
        _ = try r.varint("last_seq")
        _ = try r.field("provider", interns: interns)
        _ = try r.field("kind", interns: interns)
        var ref: UnsafeBufferPointer<UInt8>?
        if case .inline(let b) = try r.field("merchant_ref", interns: interns) { ref = b }
        for what in ["provider_status", "amount", "currency"] { _ = try r.field(what, interns: interns) }
        _ = try r.varint("first_seen")
        _ = try r.varint("last_seen")
        let n = try r.varint("event count")
        let first = n > 0 ? UInt64(bitPattern: PaymentRecord.unzigzag(try r.varint("event seq"))) : 0
        return (key, PaymentRefView(place: place, keyHash: key.keyHash(interns: interns), merchantRef: ref, firstSeq: first))
    }
}
