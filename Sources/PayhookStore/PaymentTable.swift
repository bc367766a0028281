import CLinuxShim
import PayhookCore
import PayhookLog
import Synchronization

/// The last-seen status of every payment, by (source, payment_id), compactly: 65,536 shards
/// (`PaymentShard`) chosen by the top 16 bits of a stable 64-bit hash of the key's bytes, each a
/// byte arena of compact records (`PaymentRecord`, about 80 bytes a payment instead of about 550
/// as a dictionary of `PaymentState`s) and a small slot table. Each shard is its own
/// copy-on-write value: a copy of the table shares every shard, and a write copies only the one
/// it touches (`ShardedIndexTable`).
///
/// Keys compare byte for byte (the NFC and NFD spellings of one id are two payments). The small
/// strings payments repeat are interned once for the table (`PaymentInterns`); shard 0's snapshot
/// encoding carries that list, so shard 0 decodes first (a record naming an entry the table does
/// not hold throws, it never traps).
///
/// Every write to a shard goes through `change(shard:)`, which gives the shard's group a new
/// change stamp (`PaymentChangeStamp`): what a cache of answers keyed by payment checks.
struct PaymentTable: ShardedIndexTable {
    static let shardBits = 16
    static let shardTotal = 1 << shardBits
    /// Shards share a change stamp by groups of 16: 4,096 stamps, 32 KiB, that stay in the
    /// processor's cache where 65,536 would not.
    static let stampGroupBits = 12

    /// Empty until the first payment (an index that holds none costs nothing), then `shardTotal`.
    private(set) var shards: [PaymentShard] = []
    /// The last change stamp of each group of shards (`stampGroupBits`), empty with `shards`.
    private var groupStamps: [UInt64] = []
    /// Change stamps, unique in the process: a table replaced by another (a snapshot read, a
    /// copy that went its own way) never shows a stamp a cache saw from the first.
    private static let stamps = Atomic<UInt64>(0)
    private(set) var interns = PaymentInterns()
    private(set) var count = 0

    var shardCount: Int { Self.shardTotal }

    /// FNV-1a over source, a 0xFF separator (no UTF-8 byte, so ("ab", "c") and ("a", "bc")
    /// differ), and payment_id, finished by splitmix64's mixer (`DedupDigest.mix`) so the top
    /// bits (the shard) and low bits (the slot) both depend on every byte. Stable across runs.
    static func hash<S: Sequence<UInt8>, P: Sequence<UInt8>>(source: S, paymentID: P) -> UInt64 {
        hash(sourcePrefix: hashPrefix(source: source), paymentID: paymentID)
    }

    static let fnvPrime: UInt64 = 0x0000_0100_0000_01b3

    /// The hash's state after the source and the separator: interned sources keep theirs
    /// (`PaymentInterns.hashPrefix`), so a record's key hash runs over its payment_id only.
    static func hashPrefix<S: Sequence<UInt8>>(source: S) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in source { h = (h ^ UInt64(b)) &* fnvPrime }
        return (h ^ 0xFF) &* fnvPrime
    }

    static func hash<P: Sequence<UInt8>>(sourcePrefix: UInt64, paymentID: P) -> UInt64 {
        var h = sourcePrefix
        for b in paymentID { h = (h ^ UInt64(b)) &* fnvPrime }
        return DedupDigest.mix(h)
    }

    static func shard(of hash: UInt64) -> Int { Int(hash >> UInt64(64 - shardBits)) }

    /// The change stamp of the payment whose key hashes to `hash` (`PaymentChangeStamp`).
    func changeStamp(hash: UInt64) -> PaymentChangeStamp {
        PaymentChangeStamp(group: groupStamps.isEmpty ? 0 : groupStamps[Self.stampGroup(of: hash)], interns: interns.stamp)
    }

    /// Starts loading `changeStamp(hash:)`'s stamp into the processor's cache, so that work
    /// done meanwhile hides the wait.
    func prefetchChangeStamp(hash: UInt64) {
        groupStamps.withUnsafeBufferPointer { if let base = $0.baseAddress { cshim_prefetch(base + Self.stampGroup(of: hash)) } }
    }

    /// The stamp group of the shard of `hash`: the shard's top bits.
    static func stampGroup(of hash: UInt64) -> Int { stampGroup(ofShard: shard(of: hash)) }
    static func stampGroup(ofShard i: Int) -> Int { i >> (shardBits - stampGroupBits) }

    /// The one way a shard changes: `body` writes it, and its group takes a new stamp.
    private mutating func change<R>(shard i: Int, _ body: (inout PaymentShard) -> R) -> R {
        if shards.isEmpty {
            shards = Array(repeating: PaymentShard(), count: Self.shardTotal)
            groupStamps = Array(repeating: 0, count: 1 << Self.stampGroupBits)
        }
        groupStamps[Self.stampGroup(ofShard: i)] = Self.stamps.add(1, ordering: .relaxed).newValue
        return body(&shards[i])
    }

    /// Where payment (`source`, `paymentID`) is: one hash, a probe or two. Valid until the table
    /// next changes.
    func place(source: String, paymentID: String) -> PaymentPlace? {
        guard !shards.isEmpty else { return nil }
        var source = source
        var paymentID = paymentID
        return source.withUTF8 { s in paymentID.withUTF8 { p in place(source: s, paymentID: p) } }
    }

    /// `place` of a key given as its UTF-8 bytes.
    func place(source s: UnsafeBufferPointer<UInt8>, paymentID p: UnsafeBufferPointer<UInt8>) -> PaymentPlace? {
        guard !shards.isEmpty else { return nil }
        let h = Self.hash(source: s, paymentID: p)
        let i = Self.shard(of: h)
        return shards[i].find(hash: h, source: s, paymentID: p, interns: interns).map { PaymentPlace(shard: i, slot: $0) }
    }

    /// The state of payment `key`: its place, one record decoded.
    subscript(key: PaymentKey) -> PaymentState? {
        place(source: key.source, paymentID: key.paymentID).map {
            shards[$0.shard].state(slot: $0.slot, interns: interns, source: key.source, paymentID: key.paymentID)
        }
    }

    /// Folds in an event of payment `paymentID` (the first one creates its state), as
    /// `PaymentState.apply` does: the record is decoded, folded and written again.
    mutating func apply(_ event: NormalizedEvent, paymentID: String) {
        let (h, slot) = locate(source: event.source, paymentID: paymentID)
        let i = Self.shard(of: h)
        guard let slot else { return store(PaymentState(first: event, paymentID: paymentID), shard: i, slot: nil, hash: h) }
        var p = shards[i].state(slot: slot, interns: interns, source: event.source, paymentID: paymentID, spareSeqs: 1)
        p.apply(event)
        store(p, shard: i, slot: slot, hash: h)
    }

    /// A state as a snapshot stored it (formats 1-4).
    mutating func insert(_ p: PaymentState) {
        let (h, slot) = locate(source: p.source, paymentID: p.paymentID)
        store(p, shard: Self.shard(of: h), slot: slot, hash: h)
    }

    /// The key's hash and its slot in its shard, if the payment is there.
    private func locate(source: String, paymentID: String) -> (hash: UInt64, slot: Int?) {
        var s = source
        var p = paymentID
        return s.withUTF8 { sb in
            p.withUTF8 { pb in
                let h = Self.hash(source: sb, paymentID: pb)
                return (h, shards.isEmpty ? nil : shards[Self.shard(of: h)].find(hash: h, source: sb, paymentID: pb, interns: interns))
            }
        }
    }

    private mutating func store(_ state: PaymentState, shard i: Int, slot: Int?, hash h: UInt64) {
        let tags = PaymentRecord.tags(state, interns: &interns)
        let list = interns
        if let slot {
            change(shard: i) { $0.replace(slot: slot, with: state, tags: tags, interns: list) }
        } else {
            change(shard: i) { $0.insert(state, tags: tags, hash: h, interns: list) }
            count += 1
        }
    }

    /// Calls `body` with every payment, shard by shard.
    func forEach(_ body: (PaymentState) -> Void) { for shard in shards { shard.forEach(interns: interns, body) } }

    /// Shard 0 starts with the intern list (`PaymentInterns.encode`); then each shard as
    /// `PaymentShard.encode` writes it.
    func encodeShard(_ i: Int, into w: inout ByteWriter) {
        if i == 0 { interns.encode(into: &w) }
        if shards.isEmpty { PaymentShard().encode(into: &w) } else { shards[i].encode(into: &w) }
    }

    mutating func decodeShard(_ i: Int, from r: inout ByteReader) throws(DecodeError) {
        if i == 0 { try interns.decode(from: &r) }
        install(try Self.decodeDetached(i, from: &r, context: interns), at: i)
    }

    /// The intern list (shard 0 read it; the other shards' records name its entries).
    var decodeContext: PaymentInterns { interns }

    static func decodeDetached(_ i: Int, from r: inout ByteReader, context: PaymentInterns) throws(DecodeError) -> PaymentShard {
        var shard = PaymentShard()
        try shard.decode(from: &r, interns: context)
        return shard
    }

    mutating func install(_ shard: PaymentShard, at i: Int) {
        count += Int(shard.count) - (shards.isEmpty ? 0 : Int(shards[i].count))
        change(shard: i) { $0 = shard }
    }

    mutating func releaseShard(_ i: Int) {
        guard !shards.isEmpty else { return }
        count -= Int(shards[i].count)
        change(shard: i) { $0 = PaymentShard() }
    }

    mutating func expire(through seq: UInt64, shard i: Int) {
        guard !shards.isEmpty else { return }
        let list = interns
        count -= change(shard: i) { $0.expire(through: seq, interns: list) }
    }

    func heapBytes() -> Int {
        var bytes = HeapCost.array(capacity: shards.capacity, stride: MemoryLayout<PaymentShard>.stride) + interns.heapBytes()
        bytes += HeapCost.array(capacity: groupStamps.capacity, stride: MemoryLayout<UInt64>.stride)
        for shard in shards { bytes += shard.heapBytes() }
        return bytes
    }

    /// Equal when both hold the same states (whatever their arenas' layout and intern order).
    static func == (a: PaymentTable, b: PaymentTable) -> Bool {
        guard a.count == b.count else { return false }
        var same = true
        a.forEach { p in
            if same && b[PaymentKey(source: p.source, paymentID: p.paymentID)] != p { same = false }
        }
        return same
    }
}
