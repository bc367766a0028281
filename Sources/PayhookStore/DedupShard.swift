import PayhookCore
import PayhookLog

/// One of `DedupTable`'s 65,536 shards: every identity whose digest's top 16 bits are this
/// shard's index. A value (two arrays; an empty shard holds no heap storage), so a copy of the
/// table shares it until one side writes.
///
/// Layout: an ordered linear-probing table of 16-byte slots without wrap-around. A slot sits at
/// or after its home (the digest's 48 bits below the shard bits, scaled to the slot count, so
/// homes keep the digests' order), no empty slot lies between a slot and its home, and the
/// occupied slots are in increasing `hi` order. A search stops at the first empty slot or the
/// first larger `hi`, so a miss (every new event is one) costs about what a hit costs even at
/// 0.9 load, and the layout depends on the set of digests and the slot count only.
struct DedupShard: Sendable {
    /// `hi`: the digest's high half. `packed`: the low 24 bits of the digest's low half above a
    /// 40-bit seq; 0 marks an empty slot (seqs start at 1).
    struct Slot: Sendable, Equatable {
        var hi: UInt64
        var packed: UInt64
        static let empty = Slot(hi: 0, packed: 0)
        var isEmpty: Bool { packed == 0 }
        var seq: UInt64 { packed & DedupShard.seqMask }
        /// The 24 bits of the digest's low half that the slot keeps.
        var lo: UInt64 { packed >> DedupShard.seqBits }
    }

    static let seqBits: UInt64 = 40
    static let seqMask: UInt64 = (1 << seqBits) - 1
    /// The largest seq a slot holds (2^40 - 1: at a million events a second, 35 years).
    static let maxSeq: UInt64 = seqMask
    static let loMask: UInt64 = (1 << 24) - 1

    private(set) var slots: [Slot] = []
    /// Occupied slots.
    private(set) var used = 0
    /// Identities whose digest slot another record holds, by their bytes (the collision rule,
    /// `DedupTable`).
    private(set) var exact: [ByteString: UInt64] = [:]

    var count: Int { used + exact.count }

    static func pack(lo: UInt64, seq: UInt64) -> UInt64 { (lo & loMask) << seqBits | seq }

    /// Slot count for `n` entries: load at most about 0.9 (8/9), and room at the end for the
    /// last cluster (no wrap-around).
    static func capacity(for n: Int) -> Int { n == 0 ? 0 : n + n / 8 + 2 }

    /// Where the search for `hi` starts among `n` slots: the bits below the shard's, scaled to
    /// the first 15/16 of the slots (the rest is room for the last cluster). Monotone in `hi`.
    static func home(_ hi: UInt64, slotCount n: Int) -> Int {
        let range = n - n / 16
        return Int((hi << 16).multipliedFullWidth(by: UInt64(range)).high)
    }

    /// The index of `hi`'s slot, or of the slot where it would go.
    private func probe(_ hi: UInt64) -> Int {
        var p = Self.home(hi, slotCount: slots.count)
        while p < slots.count, !slots[p].isEmpty, slots[p].hi < hi { p += 1 }
        return p
    }

    func find(_ hi: UInt64) -> Slot? {
        guard used > 0 else { return nil }
        let p = probe(hi)
        guard p < slots.count, !slots[p].isEmpty, slots[p].hi == hi else { return nil }
        return slots[p]
    }

    func exactSeq(_ id: String) -> UInt64? { exact.isEmpty ? nil : exact[ByteString(id)] }

    /// Notes that `seq` first stored the identity `id` of digest `d`; returns whether an entry
    /// was added. A digest whose slot is taken by another record keeps `id` by its bytes.
    mutating func insert(_ id: String, digest d: DedupDigest, seq: UInt64) -> Bool {
        if let slot = find(d.hi) {
            if slot.seq == seq && slot.lo == d.lo & Self.loMask { return false }
            let key = ByteString(id)
            guard exact[key] == nil else { return false }
            exact[key] = seq
            return true
        }
        add(Slot(hi: d.hi, packed: Self.pack(lo: d.lo, seq: seq)))
        return true
    }

    /// A slot as a snapshot stored it (replaces one of the same `hi`); returns whether an entry
    /// was added.
    mutating func restore(_ slot: Slot) -> Bool {
        if used > 0 {
            let p = probe(slot.hi)
            if p < slots.count, !slots[p].isEmpty, slots[p].hi == slot.hi {
                slots[p] = slot
                return false
            }
        }
        add(slot)
        return true
    }

    /// Returns whether an entry was added.
    mutating func restoreExact(_ id: String, seq: UInt64) -> Bool { exact.updateValue(seq, forKey: ByteString(id)) == nil }

    /// Adds a slot whose `hi` is not in the shard, growing by 1/8 (at least 2 slots) when the
    /// load would pass 8/9 or the last cluster reaches the end.
    private mutating func add(_ slot: Slot) {
        if Self.capacity(for: used + 1) > slots.count { grow(minimum: Self.capacity(for: used + 1)) }
        while !place(slot) { grow(minimum: slots.count + 1) }
        used += 1
    }

    /// Puts `slot` where the order wants it, shifting the rest of its cluster right by one;
    /// `false` when the cluster runs to the end.
    private mutating func place(_ slot: Slot) -> Bool {
        let p = probe(slot.hi)
        var e = p
        while e < slots.count, !slots[e].isEmpty { e += 1 }
        guard e < slots.count else { return false }
        slots.withUnsafeMutableBufferPointer { b in
            var i = e
            while i > p {
                b[i] = b[i - 1]
                i -= 1
            }
            b[p] = slot
        }
        return true
    }

    private mutating func grow(minimum: Int) {
        let occupied = slots.filter { !$0.isEmpty }
        slots = Self.layout(occupied, atLeast: max(minimum, slots.count + max(2, slots.count / 8)))
    }

    /// `sorted` (increasing `hi`) laid out in the smallest slot count from `atLeast` up that
    /// holds them.
    static func layout(_ sorted: [Slot], atLeast n: Int) -> [Slot] {
        guard n > 0 || !sorted.isEmpty else { return [] }
        var size = max(n, sorted.count + 1)
        while true {
            if let out = tryLayout(sorted, slotCount: size) { return out }
            size += max(1, size / 16)
        }
    }

    private static func tryLayout(_ sorted: [Slot], slotCount n: Int) -> [Slot]? {
        var out = [Slot](repeating: .empty, count: n)
        var next = 0
        for s in sorted {
            let p = max(home(s.hi, slotCount: n), next)
            guard p < n else { return nil }
            out[p] = s
            next = p + 1
        }
        return out
    }

    /// Drops the entries first stored at or before `seq`, rebuilding the slots for the rest;
    /// a shard with nothing to drop is left alone (a copy the snapshot shares stays shared).
    mutating func expire(through seq: UInt64) -> Int {
        let doomedSlots = slots.reduce(0) { $0 + ($1.isEmpty || $1.seq > seq ? 0 : 1) }
        let doomedExact = exact.values.reduce(0) { $0 + ($1 <= seq ? 1 : 0) }
        if doomedSlots > 0 {
            let kept = slots.filter { !$0.isEmpty && $0.seq > seq }
            slots = Self.layout(kept, atLeast: Self.capacity(for: kept.count))
            used = kept.count
        }
        if doomedExact > 0 { exact = exact.filter { $0.value > seq } }
        return doomedSlots + doomedExact
    }

    func heapBytes() -> Int {
        var bytes = HeapCost.array(capacity: slots.capacity, stride: MemoryLayout<Slot>.stride)
        bytes += HeapCost.dictionary(capacity: exact.capacity, keyStride: MemoryLayout<ByteString>.stride, valueStride: 8)
        for key in exact.keys { bytes += HeapCost.string(key.string) }
        return bytes
    }

    /// Test and decode hook: a shard made of `slots` and `exact` as they are.
    init(slots: [Slot] = [], used: Int = 0, exact: [ByteString: UInt64] = [:]) {
        self.slots = slots
        self.used = used
        self.exact = exact
    }
}

extension DedupShard: Equatable {
    /// The same entries, whatever the slot count.
    static func == (a: DedupShard, b: DedupShard) -> Bool {
        guard a.used == b.used, a.exact == b.exact else { return false }
        if a.used == 0 || a.slots == b.slots { return true }
        // Occupied slots pairwise, in order (both are in `hi` order).
        var j = 0
        for s in a.slots where !s.isEmpty {
            while b.slots[j].isEmpty { j += 1 }
            guard b.slots[j] == s else { return false }
            j += 1
        }
        return true
    }
}
