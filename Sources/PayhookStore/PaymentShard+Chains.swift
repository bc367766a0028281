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
    /// The seq of the payment's first recorded event (answers are ordered by it); 0 in a raw
    /// pass over the whole table (`LogIndex.scanPayments`), which does not read it.
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
                        body(try! Self.refView(a, at: Int(s[i] - 1), place: PaymentPlace(shard: shard, slot: i), interns: interns))
                        i = (i + 1) & mask
                    }
                }
            }
        }
    }

    /// Calls `body` with every live record of the shard, in slot order (a raw pass: no strings,
    /// no first seq; an interned source's hash state is the intern list's, `hashPrefix`).
    func forEachRef(shard: Int, interns: PaymentInterns, _ body: (PaymentRecordView, PaymentRefView) -> Void) {
        arena.withUnsafeBufferPointer { a in
            for i in slots.indices where slots[i] != 0 {
                var r = PaymentRecordReader(a, at: Int(slots[i] - 1))
                let key = try! PaymentRecordView.key(&r, interns: interns)
                let hash = key.keyHash(interns: interns)
                let ref = try! Self.merchantRef(&r, interns: interns)
                body(key, PaymentRefView(place: PaymentPlace(shard: shard, slot: i), keyHash: hash, merchantRef: ref, firstSeq: 0))
            }
        }
    }

    /// Reads the merchant ref of the record whose key `r` just read (it is left after the ref).
    static func merchantRef(_ r: inout PaymentRecordReader, interns: PaymentInterns) throws(DecodeError) -> UnsafeBufferPointer<UInt8>? {
        _ = try r.varint("last_seq")
        _ = try r.field("provider", interns: interns)
        _ = try r.field("kind", interns: interns)
        if case .inline(let b) = try r.field("merchant_ref", interns: interns) { return b }
        return nil
    }

    /// Reads the key, merchant ref and first event seq of the record at `start`.
    static func refView(_ a: UnsafeBufferPointer<UInt8>, at start: Int, place: PaymentPlace, interns: PaymentInterns) throws(DecodeError)
        -> PaymentRefView
    {
        var r = PaymentRecordReader(a, at: start)
        let key = try PaymentRecordView.key(&r, interns: interns)
        let ref = try merchantRef(&r, interns: interns)
        _ = try r.field("provider_status", interns: interns)
        _ = try r.field("amount", interns: interns)
        _ = try r.field("currency", interns: interns)
        _ = try r.varint("first_seen")
        _ = try r.varint("last_seen")
        let n = try r.varint("event count")
        let first = n > 0 ? UInt64(bitPattern: PaymentRecord.unzigzag(try r.varint("event seq"))) : 0
        return PaymentRefView(place: place, keyHash: key.keyHash(interns: interns), merchantRef: ref, firstSeq: first)
    }
}
