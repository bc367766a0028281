import PayhookCore
import TestSupport
import Testing

@testable import PayhookLog
@testable import PayhookStore

/// The compact sharded dedup table (`DedupTable`, `DedupShard`): 88 kept digest bits confirmed
/// against the log, seqs below 2^40, copy-on-write shards, expiry, raw per-shard encoding.
@Suite struct DedupTableTests {
    static func id(_ n: Int) -> String { "noventiq:ORD-\(1_000_000 + n):order.payment.succeeded" }

    static func filled(_ n: Int) -> DedupTable {
        var t = DedupTable()
        for i in 1...n { t.insert(id(i), seq: UInt64(i)) }
        return t
    }

    static func storage(_ t: DedupTable, _ i: Int) -> UnsafePointer<DedupShard.Slot>? {
        t.shards[i].slots.withUnsafeBufferPointer { $0.baseAddress }
    }

    @Test("same hi, low halves equal in their low 24 bits only: the log record decides; both identities are kept")
    func packedLoCollision() throws {
        let a = DedupDigestTests.event(1, payment: "a")
        let b = DedupDigestTests.event(2, payment: "b")
        let idA = LogIndex.dedupKey(DedupDigestTests.identity(a)).string
        // Differ only above bit 24 of lo: the table keeps bits 0-23, so the slot cannot tell.
        let digest: @Sendable (String) -> DedupDigest = { id in
            DedupDigest(hi: 0x0003_0000_0000_0042, lo: id == idA ? 0x0100_0000_00AB_CDEF : 0x0200_0000_00AB_CDEF)
        }
        #expect(digest(idA).lo & DedupShard.loMask == digest("other").lo & DedupShard.loMask)
        let log = try TestLog()
        defer {
            log.close()
            log.dir.remove()
        }
        log.index = LogIndex(digest: digest)
        log.index.records = log.opened.reader
        log.append([a])
        // b's kept bits match a's slot; the record at seq 1 is a, so b is not a duplicate.
        #expect(log.index.dedup(DedupDigestTests.identity(b)) == nil)
        log.append([b], firstTicket: 2)
        #expect(log.index.dedupCount == 2)
        #expect(log.index.dedup(DedupDigestTests.identity(a)) == 1)
        #expect(log.index.dedup(DedupDigestTests.identity(b)) == 2)

        // Without the record (retention deleted it) the 88 kept bits stand for the id.
        var alone = LogIndex(digest: digest)
        alone.apply(a, at: LogIdentityTests.at(1), frameBytes: 1)
        #expect(alone.dedup(DedupDigestTests.identity(b)) == 1)
    }

    @Test("seq 2^40 - 1 is kept, round-trips a shard encoding, and a snapshot slot of 2^40 does not decode")
    func seqBound() throws {
        let top: UInt64 = (1 << 40) - 1
        var t = DedupTable()
        t.insert("x", seq: top)
        #expect(t.lookup("x") { _ in .gone } == top)
        let shard = DedupTable.shard(of: DedupDigest.of("x").hi)
        var w = ByteWriter()
        t.encodeShard(shard, into: &w)
        var back = DedupTable()
        try ByteReader.read(w.bytes[...]) { (r: inout ByteReader) throws(DecodeError) in try back.decodeShard(shard, from: &r) }
        #expect(back.lookup("x") { _ in .gone } == top)
        #expect(back == t)

        try t.restore(hi: 7, slot: DedupTable.Slot(lo: 1, seq: top))
        #expect(throws: DecodeError.self) { try t.restore(hi: 8, slot: DedupTable.Slot(lo: 1, seq: top + 1)) }
        #expect(throws: DecodeError.self) { try t.restore(hi: 8, slot: DedupTable.Slot(lo: 1, seq: 0)) }
        #expect(t.count == 2)
    }

    @Test("inserting seq 2^40 stops the process (a slot holds 40 bits of seq)")
    func seqOverBoundTraps() async {
        await #expect(processExitsWith: .failure) {
            var t = DedupTable()
            t.insert("x", seq: 1 << 40)
        }
    }

    @Test("a copy shares every shard; a write copies only the shard it touches and the copy still answers as before")
    func copyOnWrite() {
        var t = Self.filled(20_000)
        let copy = t
        let fresh = "noventiq:NEW-1:order.payment.succeeded"
        let touched = DedupTable.shard(of: DedupDigest.of(fresh).hi)
        t.insert(fresh, seq: 20_001)
        #expect(t.lookup(fresh) { _ in .same } == 20_001)
        #expect(copy.lookup(fresh) { _ in .same } == nil)
        #expect(copy.count == 20_000)
        #expect(t.count == 20_001)
        for i in [1, 777, 20_000] { #expect(copy.lookup(Self.id(i)) { _ in .same } == UInt64(i)) }
        var shared = 0
        for i in 0..<t.shardCount where Self.storage(t, i) != nil && Self.storage(t, i) == Self.storage(copy, i) { shared += 1 }
        let nonEmpty = (0..<copy.shardCount).filter { Self.storage(copy, $0) != nil }.count
        #expect(Self.storage(t, touched) != Self.storage(copy, touched))
        #expect(shared == nonEmpty - (Self.storage(copy, touched) == nil ? 0 : 1))
    }

    @Test("expire through N drops the entry stored at N and keeps N + 1; a shard with nothing due is not copied", arguments: [5, 6])
    func expireAt(n: Int) {
        var t = Self.filled(10)
        let copy = t
        t.expire(through: UInt64(n))
        #expect(t.count == 10 - n)
        for i in 1...10 { #expect((t.lookup(Self.id(i)) { _ in .same } != nil) == (i > n)) }
        for i in 0..<t.shardCount where copy.shards[i].count > 0 && copy.shards[i].slots.allSatisfy({ $0.isEmpty || $0.seq > UInt64(n) }) {
            #expect(Self.storage(t, i) == Self.storage(copy, i))
        }
        #expect(copy.count == 10)
    }

    @Test("every shard encodes and decodes to the same entries, exact ones included")
    func shardRoundTrip() throws {
        var t = Self.filled(30_000)
        t.insert(Self.id(5), seq: 40_000)  // kept: same identity at a later seq goes to exact
        #expect(t.count == 30_001)
        var back = DedupTable()
        for i in 0..<t.shardCount {
            var w = ByteWriter()
            t.encodeShard(i, into: &w)
            try ByteReader.read(w.bytes[...]) { (r: inout ByteReader) throws(DecodeError) in
                try back.decodeShard(i, from: &r)
                #expect(r.remaining == 0)
            }
        }
        #expect(back == t)
        #expect(back.count == 30_001)
        #expect(back.lookup(Self.id(5)) { _ in .different } == 40_000)
        #expect(back.lookup(Self.id(29_999)) { _ in .same } == 29_999)
        back.releaseShard(DedupTable.shard(of: DedupDigest.of(Self.id(7)).hi))
        #expect(back.lookup(Self.id(7)) { _ in .same } == nil)
        #expect(back.count < 30_001)
    }

    /// Shard 3 with a few slots and one exact id (every digest forced into shard 3).
    static func smallShard() -> (DedupTable, [UInt8]) {
        let digest: @Sendable (String) -> DedupDigest = { id in
            let d = DedupDigest.of(id)
            return DedupDigest(hi: 3 << 48 | d.hi >> 16 & 0xFFFF_FFFF, lo: d.lo)
        }
        var t = DedupTable(digest: digest)
        for i in 1...4 { t.insert(id(i), seq: UInt64(i)) }
        t.insert(id(1), seq: 9)
        var w = ByteWriter()
        t.encodeShard(3, into: &w)
        return (t, w.bytes)
    }

    @Test("bad shard bytes throw or decode to a shard that obeys the layout; none traps; every cut throws")
    func corruptShard() throws {
        let (t, bytes) = Self.smallShard()
        #expect(t.count == 5)
        var thrown = 0
        for at in bytes.indices {
            var bad = bytes
            bad[at] ^= 0xFF
            var back = DedupTable(digest: t.digest)
            do throws(DecodeError) {
                try ByteReader.read(bad[...]) { (r: inout ByteReader) throws(DecodeError) in try back.decodeShard(3, from: &r) }
                // Still a valid shard (a seq or kept lo bits changed): it re-encodes as read.
                var w = ByteWriter()
                back.encodeShard(3, into: &w)
                #expect(w.bytes == bad, "byte \(at)")
                for i in 1...4 { _ = back.lookup(Self.id(i)) { _ in .different } }
            } catch {
                thrown += 1
            }
        }
        // Counts, top hi bytes (shard), empty slots and the exact entry's bytes all throw.
        #expect(thrown > bytes.count / 2)
        for cut in 0..<bytes.count {
            var back = DedupTable(digest: t.digest)
            #expect(throws: DecodeError.self) {
                try ByteReader.read(bytes[..<cut]) { (r: inout ByteReader) throws(DecodeError) in try back.decodeShard(3, from: &r) }
            }
        }
    }

    @Test("a slot out of its place (home moved past it) or out of order does not decode")
    func misplacedSlot() {
        let (_, bytes) = Self.smallShard()
        // Swap the first two occupied slots' hi (order broken).
        var bad = bytes
        let occupied = stride(from: 8, to: 8 + 16 * Int(bytes[0]), by: 16).filter { o in bad[(o + 8)..<(o + 16)].contains { $0 != 0 } }
        #expect(occupied.count == 4)
        for k in 0..<8 { bad.swapAt(occupied[0] + k, occupied[1] + k) }
        var back = DedupTable()
        #expect(throws: DecodeError.self) {
            try ByteReader.read(bad[...]) { (r: inout ByteReader) throws(DecodeError) in try back.decodeShard(3, from: &r) }
        }
    }
}
