import PayhookCore
import PayhookLog

/// A 128-bit digest of an event identity (`LogIndex.dedupKey`): FNV-1a over the id's bytes in
/// two lanes with different offsets, each finished by a 64-bit mixer. Stable across runs and
/// machines (snapshots store it); not cryptographic, since providers' ids are signed and a
/// collision costs a log read, never a wrong answer (`DedupTable`).
public struct DedupDigest: Hashable, Sendable {
    public var hi: UInt64
    public var lo: UInt64
    public init(hi: UInt64, lo: UInt64) {
        self.hi = hi
        self.lo = lo
    }

    public static func of(_ id: String) -> DedupDigest {
        var a: UInt64 = 0xcbf2_9ce4_8422_2325
        var b: UInt64 = 0x8422_2325_cbf2_9ce4
        for byte in id.utf8 {
            a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            b = (b ^ UInt64(byte)) &* 0x0000_0100_0000_0193
        }
        return DedupDigest(hi: mix(a ^ UInt64(id.utf8.count)), lo: mix(b &+ 0x9e37_79b9_7f4a_7c15))
    }

    /// splitmix64's finaliser: every input bit reaches every output bit.
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

/// What the log says about a dedup candidate: the record at the digest's seq has the same
/// identity, another one, or is no longer readable (deleted by retention).
enum DedupCheck {
    case same, different, gone
}

/// Dedup, compactly: event identity -> seq of the first record that stored it, as 24 bytes a
/// slot (the digest's high half is the key; low half and seq the value) instead of the id's
/// string. Collision rule (design.md, Dedup):
/// - a lookup whose 128-bit digest matches a slot is confirmed against the record at the slot's
///   seq (`DedupCheck`); only `.same` answers "duplicate" while the record is on disk. Once
///   retention deleted it, the 128-bit digest stands for the id (two distinct ids share one
///   with probability 2^-128 a pair).
/// - a stored identity whose slot is taken by another record (a digest collision, or a
///   record written twice by an older version) goes to `exact`, keyed by its bytes; a lookup
///   that the slot's record did not confirm falls back to it. So a collision never answers a
///   false duplicate and never loses an identity.
struct DedupTable: ShardedIndexTable {
    private(set) var slots: [UInt64: Slot] = [:]
    private(set) var exact: [ByteString: UInt64] = [:]
    /// `DedupDigest.of`; tests force collisions through it.
    let digest: @Sendable (String) -> DedupDigest

    struct Slot: Sendable, Equatable {
        var lo: UInt64
        var seq: UInt64
    }

    init(digest: @escaping @Sendable (String) -> DedupDigest = DedupDigest.of) { self.digest = digest }

    var count: Int { slots.count + exact.count }

    static func == (a: DedupTable, b: DedupTable) -> Bool { a.slots == b.slots && a.exact == b.exact }

    /// The seq of the stored record with identity `id`, if any; `check` reads the record at a
    /// candidate seq from the log.
    func lookup(_ id: String, check: (UInt64) -> DedupCheck) -> UInt64? {
        let d = digest(id)
        if let slot = slots[d.hi], slot.lo == d.lo, check(slot.seq) != .different { return slot.seq }
        return exact[ByteString(id)]
    }

    /// Notes that the record at `seq` stored identity `id` (the first record of an identity
    /// keeps it: inserting a known identity again changes nothing that lookups answer).
    mutating func insert(_ id: String, seq: UInt64) {
        let d = digest(id)
        guard let slot = slots[d.hi] else {
            slots[d.hi] = Slot(lo: d.lo, seq: seq)
            return
        }
        if slot.seq == seq && slot.lo == d.lo { return }
        let key = ByteString(id)
        if exact[key] == nil { exact[key] = seq }
    }

    /// A snapshot's slot, as stored.
    mutating func restore(hi: UInt64, slot: Slot) { slots[hi] = slot }
    mutating func restoreExact(_ id: String, seq: UInt64) { exact[ByteString(id)] = seq }

    mutating func reserveCapacity(_ n: Int) { slots.reserveCapacity(n) }

    // Interim form: one shard.
    var shardCount: Int { 1 }

    func encodeShard(_ i: Int, into w: inout ByteWriter) {
        w.u64(UInt64(slots.count))
        for (hi, slot) in slots {
            w.u64(hi)
            w.u64(slot.lo)
            w.u64(slot.seq)
        }
        w.u64(UInt64(exact.count))
        for (id, seq) in exact {
            w.string(id.string)
            w.u64(seq)
        }
    }

    mutating func decodeShard(_ i: Int, from r: inout ByteReader) throws(DecodeError) {
        let n = try r.u64("dedup count")
        guard n <= UInt64(r.remaining / 24) else { throw DecodeError(offset: r.offset, what: "dedup count \(n) is impossible") }
        slots.reserveCapacity(Int(n))
        for _ in 0..<n {
            let hi = try r.u64("digest hi")
            restore(hi: hi, slot: Slot(lo: try r.u64("digest lo"), seq: try r.u64("seq")))
        }
        let e = try r.u64("exact dedup count")
        guard e <= UInt64(r.remaining / 10) else { throw DecodeError(offset: r.offset, what: "exact dedup count \(e) is impossible") }
        for _ in 0..<e {
            let id = try r.string("id")
            restoreExact(id, seq: try r.u64("seq"))
        }
    }

    mutating func releaseShard(_ i: Int) {
        slots = [:]
        exact = [:]
    }

    func heapBytes() -> Int {
        var bytes = HeapCost.dictionary(capacity: slots.capacity, keyStride: MemoryLayout<UInt64>.stride, valueStride: MemoryLayout<Slot>.stride)
        bytes += HeapCost.dictionary(capacity: exact.capacity, keyStride: MemoryLayout<ByteString>.stride, valueStride: MemoryLayout<UInt64>.stride)
        for key in exact.keys { bytes += HeapCost.string(key.string) }
        return bytes
    }

    /// Drops every identity first stored at a seq up to `seq` (bounded dedup).
    /// In place (no second table while it runs); the capacity stays for the entries to come.
    mutating func expire(through seq: UInt64, shard i: Int) {
        var doomed: [UInt64] = []
        for (hi, slot) in slots where slot.seq <= seq { doomed.append(hi) }
        for hi in doomed { slots.removeValue(forKey: hi) }
        var doomedExact: [ByteString] = []
        for (id, s) in exact where s <= seq { doomedExact.append(id) }
        for id in doomedExact { exact.removeValue(forKey: id) }
    }
}
