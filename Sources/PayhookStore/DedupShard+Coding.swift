import PayhookCore
import PayhookLog

// A shard's snapshot encoding, raw: u32 slot count, u32 occupied count, the slots as they lie
// (hi u64, packed u64 each, empty ones zero), then u32 exact count and (id string, seq u64)
// each. Restoring copies the slots back (no rehash) after checking every rule a lookup relies
// on, so bad bytes throw and never leave a shard whose searches would miss or run past the end.

extension DedupShard {
    func encode(into w: inout ByteWriter) {
        w.u32(UInt32(slots.count))
        w.u32(UInt32(used))
        w.bytes.reserveCapacity(w.bytes.count + slots.count * 16)
        for s in slots {
            w.u64(s.hi)
            w.u64(s.packed)
        }
        w.u32(UInt32(exact.count))
        for (id, seq) in exact {
            w.string(id.string)
            w.u64(seq)
        }
    }

    /// Shard `index`'s bytes as `encode` wrote them; `digest` places exact ids (they must
    /// belong to this shard).
    static func decode(
        _ r: inout ByteReader, index: Int, digest: (String) -> DedupDigest
    ) throws(DecodeError) -> DedupShard {
        let n = Int(try r.u32("dedup slot count"))
        let used = Int(try r.u32("dedup used count"))
        guard n <= r.remaining / 16, used <= n, (n == 0) == (used == 0) else {
            throw DecodeError(offset: r.offset, what: "dedup shard of \(used) in \(n) slots is impossible")
        }
        var slots: [Slot] = []
        slots.reserveCapacity(n)
        for _ in 0..<n { slots.append(Slot(hi: try r.u64("digest hi"), packed: try r.u64("digest lo and seq"))) }
        try validate(slots, used: used, index: index, offset: r.offset)
        let e = Int(try r.u32("exact dedup count"))
        guard e <= r.remaining / 10 else { throw DecodeError(offset: r.offset, what: "exact dedup count \(e) is impossible") }
        var exact: [ByteString: UInt64] = [:]
        for _ in 0..<e {
            let id = try r.string("id")
            let seq = try r.u64("seq")
            guard (1...maxSeq).contains(seq), DedupTable.shard(of: digest(id).hi) == index, exact[ByteString(id)] == nil else {
                throw DecodeError(offset: r.offset, what: "exact dedup entry of shard \(index)")
            }
            exact[ByteString(id)] = seq
        }
        return DedupShard(slots: slots, used: used, exact: exact)
    }

    /// The layout rules (`DedupShard`): empty slots all zero; occupied ones hold a seq, belong
    /// to shard `index`, increase in `hi`, and sit at or after their home with no empty slot
    /// between; `used` of them.
    private static func validate(_ slots: [Slot], used: Int, index: Int, offset: Int) throws(DecodeError) {
        var occupied = 0
        var runStart = 0
        var previous: UInt64?
        for (p, s) in slots.enumerated() {
            if s.isEmpty {
                guard s.hi == 0 else { throw DecodeError(offset: offset, what: "dedup slot \(p) is not clean") }
                runStart = p + 1
                continue
            }
            let home = Self.home(s.hi, slotCount: slots.count)
            guard s.seq != 0, DedupTable.shard(of: s.hi) == index, previous.map({ $0 < s.hi }) ?? true, home >= runStart, home <= p else {
                throw DecodeError(offset: offset, what: "dedup slot \(p) of shard \(index) is out of place")
            }
            previous = s.hi
            occupied += 1
        }
        guard occupied == used else { throw DecodeError(offset: offset, what: "dedup shard holds \(occupied) slots, says \(used)") }
    }
}
