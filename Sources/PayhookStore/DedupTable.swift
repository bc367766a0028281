import PayhookCore
import PayhookLog

/// A 128-bit digest of an event identity (`LogIndex.dedupKey`): FNV-1a over the id's bytes in
/// two lanes with different offsets, each finished by a 64-bit mixer. Stable across runs and
/// machines (snapshots store it); not cryptographic, since providers' ids are signed and a
/// collision costs a log read, never a wrong answer. `DedupTable` keeps 88 of its bits.
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

/// Dedup, compactly: event identity -> seq of the first record that stored it, as one 16-byte
/// slot (`DedupShard`) instead of the id's string: the digest's high half, and the low 24 bits
/// of its low half above a 40-bit seq (seqs below 2^40). 65,536 shards by the top 16 bits of
/// the high half, each its own copy-on-write value: a copy of the table (the snapshot's) shares
/// every shard, and a write copies only the shard it touches. Collision rule (design.md, Dedup):
/// - a lookup whose 88 kept digest bits match a slot is confirmed against the record at the
///   slot's seq (`DedupCheck`); only `.same` answers "duplicate" while the record is on disk.
///   Once retention deleted it, the 88 bits stand for the id: two distinct ids share them with
///   probability 2^-88 a pair, so among the 10^7 identities of a dedup window the chance that
///   any two share them is about (10^7)^2 / 2 / 2^88 = 1.6e-13.
/// - a stored identity whose slot (its digest's high half) is taken by another record (a
///   digest collision, or a record written twice by an older version) goes to the shard's
///   `exact`, keyed by its bytes; a lookup that the slot's record did not confirm falls back to
///   it. So a collision never answers a false duplicate and never loses an identity.
struct DedupTable: ShardedIndexTable {
    static let shardBits: UInt64 = 16
    private(set) var shards = [DedupShard](repeating: DedupShard(), count: 1 << shardBits)
    /// Entries over all shards.
    private(set) var count = 0
    /// `DedupDigest.of`; tests force collisions through it.
    let digest: @Sendable (String) -> DedupDigest

    /// A snapshot's slot as formats 3 and 4 store it (`lo`: the digest's low half; the table
    /// keeps its low 24 bits).
    struct Slot: Sendable, Equatable {
        var lo: UInt64
        var seq: UInt64
    }

    init(digest: @escaping @Sendable (String) -> DedupDigest) { self.digest = digest }
    init() { self.init(digest: DedupDigest.of) }

    static func shard(of hi: UInt64) -> Int { Int(hi >> (64 - shardBits)) }

    static func == (a: DedupTable, b: DedupTable) -> Bool {
        guard a.count == b.count else { return false }
        for i in a.shards.indices where a.shards[i] != b.shards[i] { return false }
        return true
    }

    /// The seq of the stored record with identity `id`, if any; `check` reads the record at a
    /// candidate seq from the log.
    func lookup(_ id: String, check: (UInt64) -> DedupCheck) -> UInt64? {
        let d = digest(id)
        let i = Self.shard(of: d.hi)
        if let slot = shards[i].find(d.hi), slot.lo == d.lo & DedupShard.loMask, check(slot.seq) != .different { return slot.seq }
        return shards[i].exactSeq(id)
    }

    /// Notes that the record at `seq` stored identity `id` (the first record of an identity
    /// keeps it: inserting a known identity again changes nothing that lookups answer).
    /// `seq` is from 1 to 2^40 - 1 (`DedupShard.maxSeq`).
    mutating func insert(_ id: String, seq: UInt64) {
        precondition(seq >= 1 && seq <= DedupShard.maxSeq, "dedup seq \(seq) is outside 1...2^40-1")
        let d = digest(id)
        if shards[Self.shard(of: d.hi)].insert(id, digest: d, seq: seq) { count += 1 }
    }

    /// A snapshot's slot (formats 3 and 4), as stored.
    mutating func restore(hi: UInt64, slot: Slot) throws(DecodeError) {
        guard slot.seq >= 1 && slot.seq <= DedupShard.maxSeq else { throw DecodeError(offset: 0, what: "dedup seq \(slot.seq)") }
        let packed = DedupShard.pack(lo: slot.lo, seq: slot.seq)
        if shards[Self.shard(of: hi)].restore(DedupShard.Slot(hi: hi, packed: packed)) { count += 1 }
    }

    mutating func restoreExact(_ id: String, seq: UInt64) {
        if shards[Self.shard(of: digest(id).hi)].restoreExact(id, seq: seq) { count += 1 }
    }

    /// Shards grow by an eighth on their own; reserving would guess at each shard's share.
    mutating func reserveCapacity(_ n: Int) {}

    /// Every slot as formats 3 and 4 store it (hi, lo's kept bits, seq), shard by shard.
    var slots: SlotsView { SlotsView(shards: shards, count: count - exactCount) }

    /// Every identity kept by its bytes.
    var exact: [(ByteString, UInt64)] {
        var out: [(ByteString, UInt64)] = []
        for shard in shards where !shard.exact.isEmpty { out += shard.exact.map { ($0.key, $0.value) } }
        return out
    }

    private var exactCount: Int { shards.reduce(0) { $0 + $1.exact.count } }

    struct SlotsView: Sequence {
        let shards: [DedupShard]
        let count: Int

        func makeIterator() -> Iterator { Iterator(shards: shards) }

        struct Iterator: IteratorProtocol {
            let shards: [DedupShard]
            var shard = 0
            var slot = 0

            mutating func next() -> (UInt64, Slot)? {
                while shard < shards.count {
                    let slots = shards[shard].slots
                    while slot < slots.count {
                        let s = slots[slot]
                        slot += 1
                        if !s.isEmpty { return (s.hi, Slot(lo: s.lo, seq: s.seq)) }
                    }
                    shard += 1
                    slot = 0
                }
                return nil
            }
        }
    }

    var shardCount: Int { shards.count }

    func encodeShard(_ i: Int, into w: inout ByteWriter) { shards[i].encode(into: &w) }

    mutating func decodeShard(_ i: Int, from r: inout ByteReader) throws(DecodeError) {
        install(try DedupShard.decode(&r, index: i, digest: digest), at: i)
    }

    var decodeContext: @Sendable (String) -> DedupDigest { digest }

    static func decodeDetached(_ i: Int, from r: inout ByteReader, context: @Sendable (String) -> DedupDigest) throws(DecodeError) -> DedupShard {
        try DedupShard.decode(&r, index: i, digest: context)
    }

    mutating func install(_ shard: DedupShard, at i: Int) {
        count += shard.count - shards[i].count
        shards[i] = shard
    }

    mutating func releaseShard(_ i: Int) {
        count -= shards[i].count
        shards[i] = DedupShard()
    }

    func heapBytes() -> Int {
        shards.reduce(HeapCost.array(capacity: shards.capacity, stride: MemoryLayout<DedupShard>.stride)) { $0 + $1.heapBytes() }
    }

    /// Drops every identity first stored at a seq up to `seq` from shard `i` (bounded dedup),
    /// rebuilding that shard's slots for the rest.
    mutating func expire(through seq: UInt64, shard i: Int) { count -= shards[i].expire(through: seq) }
}
