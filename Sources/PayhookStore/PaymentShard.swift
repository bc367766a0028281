import PayhookCore
import PayhookLog

/// One of `PaymentTable`'s shards: its payments as records back to back in a byte arena
/// (`PaymentRecord`), found through a small open-addressing table of arena offsets. A value of
/// two arrays: a copy shares both until one side writes (copy-on-write), and an empty shard
/// holds no heap storage.
///
/// An update appends the payment's new record and marks the old one dead; the shard is compacted
/// (live records copied to a new arena, in place of the slots that name them) once dead bytes
/// exceed half the live ones, so an arena is at most 1.5 times its live bytes.
struct PaymentShard: Sendable {
    /// Records, live and dead (`PaymentRecord.deadFlag`).
    private(set) var arena: [UInt8] = []
    /// Linear probing by the key's hash (low bits): a live record's offset + 1, 0 when empty.
    /// A power of two long, at most three quarters full (so a probe always ends), or empty.
    private(set) var slots: [UInt32] = []
    /// Live records.
    private(set) var count: UInt32 = 0
    private(set) var deadBytes: UInt32 = 0

    /// The slot count for `n` records: the smallest power of two (at least 4) that `n` fills to
    /// three quarters at most; 0 for none.
    static func slotCount(for n: Int) -> Int {
        guard n > 0 else { return 0 }
        var c = 4
        while n * 4 > c * 3 { c *= 2 }
        return c
    }

    /// The slot holding the record keyed (`source`, `paymentID`), if any.
    func find(hash: UInt64, source: UnsafeBufferPointer<UInt8>, paymentID: UnsafeBufferPointer<UInt8>, interns: PaymentInterns) -> Int? {
        guard !slots.isEmpty else { return nil }
        return interns.withUTF8 { utf8 in
            arena.withUnsafeBufferPointer { a in probe(a, hash: hash, source: source, paymentID: paymentID, interns: interns, utf8: utf8)?.slot }
        }
    }

    /// The slot of the record keyed (`source`, `paymentID`) in the arena `a`, with where the
    /// record starts, a reader left just past its key and the key's view; nil when the key is
    /// not here (or the shard is empty).
    @inline(__always)
    func probe(
        _ a: UnsafeBufferPointer<UInt8>, hash: UInt64, source: UnsafeBufferPointer<UInt8>, paymentID: UnsafeBufferPointer<UInt8>,
        interns: PaymentInterns, utf8: InternedUTF8
    ) -> (slot: Int, start: Int, reader: PaymentRecordReader, view: PaymentRecordView)? {
        guard !slots.isEmpty else { return nil }
        let mask = slots.count - 1
        return slots.withUnsafeBufferPointer { s in
            var i = Int(truncatingIfNeeded: hash) & mask
            while s[i] != 0 {
                var r = PaymentRecordReader(a, at: Int(s[i] - 1))
                // This arena was written by this process or validated when a snapshot was read.
                let view = try! PaymentRecordView.key(&r, interns: interns)
                if view.matches(source: source, paymentID: paymentID, utf8: utf8) { return (i, Int(s[i] - 1), r, view) }
                i = (i + 1) & mask
            }
            return nil
        }
    }

    /// The state of the record in `slot`.
    /// `spareSeqs`: room for that many more event seqs (a fold appends one).
    func state(slot: Int, interns: PaymentInterns, source: String? = nil, paymentID: String? = nil, spareSeqs: Int = 0) -> PaymentState {
        arena.withUnsafeBufferPointer { a in
            try! PaymentRecord.decode(a, at: Int(slots[slot] - 1), interns: interns, source: source, paymentID: paymentID, spareSeqs: spareSeqs)
                .state
        }
    }

    /// Adds a payment whose key is not in the shard.
    mutating func insert(_ p: PaymentState, tags: PaymentRecord.Tags, hash: UInt64, interns: PaymentInterns) {
        if Self.slotCount(for: Int(count) + 1) > slots.count { rebuildSlots(capacity: Self.slotCount(for: Int(count) + 1), interns: interns) }
        let offset = append(p, tags: tags)
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: hash) & mask
        while slots[i] != 0 { i = (i + 1) & mask }
        slots[i] = offset + 1
        count += 1
    }

    /// Replaces the record in `slot` (same key) with `p`'s.
    mutating func replace(slot: Int, with p: PaymentState, tags: PaymentRecord.Tags, interns: PaymentInterns) {
        let old = Int(slots[slot] - 1)
        let end = arena.withUnsafeBufferPointer { a in
            var r = PaymentRecordReader(a, at: old)
            return try! PaymentRecordView.key(&r, interns: interns).end
        }
        arena[old] |= PaymentRecord.deadFlag
        deadBytes += UInt32(end - old)
        slots[slot] = append(p, tags: tags) + 1
        if Int(deadBytes) * 2 > arena.count - Int(deadBytes) { compact() }
    }

    private mutating func append(_ p: PaymentState, tags: PaymentRecord.Tags) -> UInt32 {
        let offset = arena.count
        let bytes = PaymentRecord.append(p, tags: tags, to: &arena)
        // Offsets are 32 bits: 4 GiB of one shard's records is 65,536 times more than the
        // table is sized for.
        precondition(offset + bytes < Int(UInt32.max), "payment shard arena over 4 GiB")
        return UInt32(offset)
    }

    /// Copies the live records to a new arena, exactly sized, in slot order.
    mutating func compact() {
        var fresh: [UInt8] = []
        fresh.reserveCapacity(arena.count - Int(deadBytes))
        let old = arena
        old.withUnsafeBufferPointer { a in
            for i in slots.indices where slots[i] != 0 {
                let start = Int(slots[i] - 1)
                slots[i] = UInt32(fresh.count + 1)
                fresh.append(contentsOf: UnsafeBufferPointer(rebasing: a[start..<Self.end(a, start)]))
            }
        }
        arena = fresh
        deadBytes = 0
    }

    /// The offset past the (trusted) record at `start`.
    private static func end(_ a: UnsafeBufferPointer<UInt8>, _ start: Int) -> Int {
        var r = PaymentRecordReader(a, at: start)
        _ = try! r.byte("head")
        let n = try! r.varint("body length")
        return r.at + Int(n)
    }

    /// Re-places every live record in `capacity` slots (growth, expiry), hashing each key again.
    private mutating func rebuildSlots(capacity: Int, interns: PaymentInterns) {
        var fresh = [UInt32](repeating: 0, count: capacity)
        let mask = capacity - 1
        arena.withUnsafeBufferPointer { a in
            for v in slots where v != 0 {
                var r = PaymentRecordReader(a, at: Int(v - 1))
                var i = Int(truncatingIfNeeded: try! PaymentRecordView.key(&r, interns: interns).keyHash(interns: interns)) & mask
                while fresh[i] != 0 { i = (i + 1) & mask }
                fresh[i] = v
            }
        }
        slots = fresh
    }

    /// Drops the payments whose newest event seq is at or before `seq`; returns how many.
    mutating func expire(through seq: UInt64, interns: PaymentInterns) -> Int {
        var doomed = 0
        let records = arena
        records.withUnsafeBufferPointer { a in
            for i in slots.indices where slots[i] != 0 {
                let start = Int(slots[i] - 1)
                guard try! PaymentRecord.lastSeq(a, at: start, interns: interns) <= seq else { continue }
                slots[i] = 0
                doomed += 1
            }
        }
        guard doomed > 0 else { return 0 }
        count -= UInt32(doomed)
        // Linear probing cannot leave holes in a probe chain: the survivors are placed again, in
        // a table sized for them, and copied to an arena of their own.
        if count == 0 {
            self = PaymentShard()
            return doomed
        }
        rebuildSlots(capacity: Self.slotCount(for: Int(count)), interns: interns)
        deadBytes = UInt32(arena.count)
        for v in slots where v != 0 { deadBytes -= UInt32(Self.end(arena, Int(v - 1)) - Int(v - 1)) }
        compact()
        return doomed
    }

    private static func end(_ arena: [UInt8], _ start: Int) -> Int { arena.withUnsafeBufferPointer { end($0, start) } }

    /// Calls `body` with every payment's state.
    func forEach(interns: PaymentInterns, _ body: (PaymentState) -> Void) {
        for i in slots.indices where slots[i] != 0 { body(state(slot: i, interns: interns)) }
    }

    func heapBytes() -> Int { HeapCost.array(capacity: arena.capacity, stride: 1) + HeapCost.array(capacity: slots.capacity, stride: 4) }
}

extension PaymentShard {
    /// The shard as a snapshot stores it: u32 live count, u32 byte count, then the live records
    /// back to back, as in the arena (raw: reading them back needs no field decoded into
    /// strings, only checked, and each key hashed once to place it).
    func encode(into w: inout ByteWriter) {
        w.u32(count)
        w.u32(UInt32(arena.count - Int(deadBytes)))
        guard count > 0 else { return }
        w.bytes.reserveCapacity(w.bytes.count + arena.count - Int(deadBytes))
        arena.withUnsafeBufferPointer { a in
            for v in slots where v != 0 { w.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: a[Int(v - 1)..<Self.end(a, Int(v - 1))])) }
        }
    }

    /// Reads a shard `encode` wrote into this empty one; every record is validated
    /// (`PaymentRecord.validate`) and a key stored twice is refused, so bad bytes throw here and
    /// never reach a lookup.
    mutating func decode(from r: inout ByteReader, interns: PaymentInterns) throws(DecodeError) {
        precondition(count == 0 && arena.isEmpty, "decoding into a shard that holds payments")
        let n = try r.u32("payment count")
        let bytes = try r.u32("payment bytes")
        // The smallest record is 14 bytes (head, length, twelve one-byte fields).
        guard UInt64(n) * 14 <= UInt64(bytes), bytes <= r.remaining else {
            throw DecodeError(offset: r.offset, what: "\(n) payments in \(bytes) bytes are impossible")
        }
        guard n > 0 else { return }
        let base = r.offset
        let arena = try r.bytes(Int(bytes), "payment records")
        var offsets: [UInt32] = []
        offsets.reserveCapacity(Int(n))
        try arena.withUnsafeBufferPointer { (a) throws(DecodeError) in
            var at = 0
            while at < a.count {
                offsets.append(UInt32(at))
                do throws(DecodeError) { at = try PaymentRecord.validate(a, at: at, interns: interns) } catch {
                    throw DecodeError(offset: base + error.offset, what: error.what)
                }
            }
        }
        guard offsets.count == Int(n) else { throw DecodeError(offset: base, what: "\(offsets.count) payment records, \(n) announced") }
        self.arena = arena
        try place(offsets, base: base, interns: interns)
        count = n
    }

    /// Fills the slots for validated records at `offsets`, refusing a key seen twice.
    private mutating func place(_ offsets: [UInt32], base: Int, interns: PaymentInterns) throws(DecodeError) {
        let capacity = Self.slotCount(for: offsets.count)
        var fresh = [UInt32](repeating: 0, count: capacity)
        let mask = capacity - 1
        try arena.withUnsafeBufferPointer { (a) throws(DecodeError) in
            for o in offsets {
                var r = PaymentRecordReader(a, at: Int(o))
                let view = try PaymentRecordView.key(&r, interns: interns)
                var i = Int(truncatingIfNeeded: view.keyHash(interns: interns)) & mask
                while fresh[i] != 0 {
                    var other = PaymentRecordReader(a, at: Int(fresh[i] - 1))
                    if try PaymentRecordView.key(&other, interns: interns).sameKey(as: view, interns: interns) {
                        throw DecodeError(offset: base + Int(o), what: "payment stored twice")
                    }
                    i = (i + 1) & mask
                }
                fresh[i] = o + 1
            }
        }
        slots = fresh
    }
}
