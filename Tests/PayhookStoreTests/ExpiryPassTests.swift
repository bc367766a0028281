import PayhookCore
import TestSupport
import Testing

@testable import PayhookLog
@testable import PayhookStore

/// A table of `shards` shards (key -> seq), for passes over more than the interim one shard.
private struct SeqTable: ShardedIndexTable {
    var shards: [[UInt64: UInt64]]
    init(shards: Int) { self.shards = Array(repeating: [:], count: shards) }
    init() { self.init(shards: 1) }
    var shardCount: Int { shards.count }
    var count: Int { shards.reduce(0) { $0 + $1.count } }
    mutating func insert(_ key: UInt64, seq: UInt64) { shards[Int(key % UInt64(shards.count))][key] = seq }
    func encodeShard(_ i: Int, into w: inout ByteWriter) {}
    mutating func decodeShard(_ i: Int, from r: inout ByteReader) throws(DecodeError) {}
    var decodeContext: Int { 0 }
    static func decodeDetached(_ i: Int, from r: inout ByteReader, context: Int) throws(DecodeError) -> [UInt64: UInt64] { [:] }
    mutating func install(_ shard: [UInt64: UInt64], at i: Int) { shards[i] = shard }
    mutating func releaseShard(_ i: Int) { shards[i] = [:] }
    mutating func expire(through seq: UInt64, shard i: Int) { shards[i] = shards[i].filter { $0.value > seq } }
    func heapBytes() -> Int { 0 }
}

/// Bounded dedup on the loop: an expiry pass spread over turns ends where expiry at once does.
@Suite struct ExpiryPassTests {
    @Test("8 + 5 shards, 3 a turn, records applied between turns: 3 turns, the same tables as expiry at once", arguments: [1, 3, 8, 100])
    func severalTurnsEqualAtOnce(perTurn: Int) {
        var a = SeqTable(shards: 8)
        var b = SeqTable(shards: 5)
        for k in UInt64(0)..<200 {
            a.insert(k, seq: k)
            b.insert(k &* 7, seq: k / 2)
        }
        var atOnceA = a
        var atOnceB = b
        atOnceA.expire(through: 120)
        atOnceB.expire(through: 120)
        var pass = ExpiryPass(through: 120)
        var turns = 0
        var next: UInt64 = 200
        while true {
            turns += 1
            if pass.step(&a, &b, shards: perTurn) { break }
            // The loop applies newer records between turns (seqs past the pass's).
            a.insert(next, seq: next)
            atOnceA.insert(next, seq: next)
            next += 1
        }
        #expect(turns == (8 + perTurn - 1) / perTurn)
        #expect(a == atOnceA)
        #expect(b == atOnceB)
        #expect(a.count == 79 + Int(next - 200))
    }

    @Test("a snapshot taken mid-pass keeps the due entries and their retired segments; a restart expires them at start-up")
    func snapshotMidPass() throws {
        let day: Int64 = 86_400_000
        let now: Int64 = 1_795_341_600_000
        var index = LogIndex()
        for n in 1...6 {
            index.apply(Fixtures.payload(n, receivedAtMs: now - 200 * day), at: LogIdentityTests.at(UInt64(n)), frameBytes: 1)
        }
        index.apply(Fixtures.payload(7, payment: "p1", status: .refunded, receivedAtMs: now), at: LogIdentityTests.at(7), frameBytes: 1)
        index.retired = [RetiredSegment(lastSeq: 6, newestMs: now - 200 * day)]
        let through = try #require(index.expiryDue(nowMs: now, retentionDays: 90, extraDays: 30))
        #expect(through == 6)
        var finished = index
        var pass = ExpiryPass(through: through)
        while !finished.expire(&pass, shards: 1) {}
        #expect(finished.retired.isEmpty)
        #expect(finished.dedupCount == 1)
        #expect(finished.lookup(source: "noventiq", paymentID: "p2") == nil)
        #expect(finished.lookup(source: "noventiq", paymentID: "p1")?.status == .refunded)

        // Mid-pass: started, not complete (the interim tables have one shard: nothing done yet).
        let midPass = index
        var restarted = try IndexSnapshot.decode(IndexSnapshot.encode(midPass))
        #expect(restarted.retired == index.retired)
        #expect(restarted.dedupCount == 7)
        // What `Log.open` does before the loop starts.
        if let due = restarted.expiryDue(nowMs: now, retentionDays: 90, extraDays: 30) { restarted.expire(through: due) }
        #expect(restarted == finished)
    }
}
