import PayhookCore
import Testing

@testable import PayhookLog
@testable import PayhookStore

/// The compact payment table (`PaymentTable`): what goes in comes out, byte for byte keys,
/// growth and compaction, copy-on-write shards, expiry and the intern bound.
@Suite struct PaymentTableTests {
    static func state(
        _ id: String, source: String = "noventiq", status: PaymentStatus = .succeeded, merchantRef: String? = "M1",
        providerStatus: String? = "paid", amount: String? = "10.00", currency: String? = "EUR", seqs: [UInt64] = [1]
    ) -> PaymentState {
        var p = PaymentState(source: source, paymentID: id, provider: "noventiq", kind: "payment", status: status)
        p.merchantRef = merchantRef
        p.providerStatus = providerStatus
        p.amount = amount
        p.currency = currency
        p.firstSeenMs = 1_795_341_600_000
        p.lastSeenMs = 1_795_341_600_500
        p.eventSeqs = seqs
        p.lastSeq = seqs.max() ?? 0
        return p
    }

    static func event(_ seq: UInt64, payment: String, status: PaymentStatus = .pending, merchantRef: String? = nil) -> NormalizedEvent {
        NormalizedEvent(
            id: "noventiq:\(payment):\(seq)", seq: seq, source: "noventiq", provider: "noventiq", kind: "payment", paymentID: payment,
            merchantRef: merchantRef, status: status, providerStatus: "s\(seq % 3)", amount: "\(seq).00", currency: "EUR",
            receivedAtMs: 1_795_341_600_000 + Int64(seq), verifiedBy: "sha512-fields")
    }

    static func key(_ p: PaymentState) -> PaymentKey { PaymentKey(source: p.source, paymentID: p.paymentID) }

    static func shardIndex(source: String = "noventiq", _ id: String) -> Int {
        PaymentTable.shard(of: PaymentTable.hash(source: source.utf8, paymentID: id.utf8))
    }

    static func arenaAddress(_ t: PaymentTable, _ i: Int) -> UnsafeRawPointer? {
        t.shards[i].arena.withUnsafeBytes { $0.baseAddress }
    }

    @Test("every optional present or absent, long strings, every status, odd seqs and extreme times round-trip exactly")
    func roundTrip() {
        let long = String(repeating: "é-long-value ", count: 40)  // 560 bytes: a two-byte varint length
        var states: [PaymentState] = []
        for mask in 0..<16 {
            for (n, text) in ["v", long].enumerated() {
                var p = Self.state(
                    "pay-\(mask)-\(n)", status: PaymentStatus.allCases[mask % PaymentStatus.allCases.count],
                    merchantRef: mask & 1 == 0 ? nil : "ref-\(text)", providerStatus: mask & 2 == 0 ? nil : "ps-\(text)",
                    amount: mask & 4 == 0 ? nil : "1\(text)", currency: mask & 8 == 0 ? nil : "c\(text)", seqs: [])
                p.eventSeqs = [[], [7], [5, 3, 1 << 40, 2], [UInt64.max, 0]][mask % 4]
                p.lastSeq = [0, 7, 1 << 41, UInt64.max][mask % 4]
                (p.firstSeenMs, p.lastSeenMs) = [(Int64.min, Int64.max), (-5, 3), (1_795_341_600_000, 1_795_341_599_000), (0, 0)][mask % 4]
                states.append(p)
            }
        }
        states.append(Self.state(String(repeating: "x", count: 3000), source: String(repeating: "s", count: 40)))
        var table = PaymentTable()
        for p in states { table.insert(p) }
        #expect(table.count == states.count)
        for p in states { #expect(table[Self.key(p)] == p) }
        var seen = 0
        table.forEach { p in
            seen += 1
            #expect(table[Self.key(p)] == p)
        }
        #expect(seen == states.count)
        #expect(table[PaymentKey(source: "noventiq", paymentID: "absent")] == nil)
        #expect(table.shardCount == 1 << 16)
    }

    @Test("apply folds as PaymentState.apply; a payment lives in the shard named by its hash's top 16 bits")
    func foldMatchesState() {
        var table = PaymentTable()
        var expected: [String: PaymentState] = [:]
        for seq in UInt64(1)...300 {
            let id = "P\(seq % 37)"
            let e = Self.event(seq, payment: id, status: PaymentStatus.allCases[Int(seq) % 8], merchantRef: seq % 5 == 0 ? "R\(seq)" : nil)
            table.apply(e, paymentID: id)
            if expected[id] == nil { expected[id] = PaymentState(first: e, paymentID: id) } else { expected[id]!.apply(e) }
        }
        #expect(table.count == 37)
        for (id, p) in expected {
            #expect(table[PaymentKey(source: "noventiq", paymentID: id)] == p)
            #expect(table.shards[Self.shardIndex(id)].count >= 1)
        }
    }

    @Test("a record that grows is appended and the old one dies; the shard compacts once dead bytes pass half the live ones")
    func growthAndCompaction() {
        var table = PaymentTable()
        let i = Self.shardIndex("grow")
        var compactions = 0
        var previousDead: UInt32 = 0
        for seq in UInt64(1)...400 {
            table.apply(Self.event(seq, payment: "grow"), paymentID: "grow")
            let shard = table.shards[i]
            let live = shard.arena.count - Int(shard.deadBytes)
            #expect(Int(shard.deadBytes) * 2 <= live)
            if shard.deadBytes < previousDead || (seq > 1 && shard.deadBytes == 0) { compactions += 1 }
            previousDead = shard.deadBytes
        }
        #expect(compactions >= 3)
        let p = table[PaymentKey(source: "noventiq", paymentID: "grow")]
        #expect(p?.eventSeqs == Array(1...400))
        #expect(p?.lastSeq == 400 && p?.amount == "400.00")
        #expect(table.count == 1)
    }

    @Test("the NFC and NFD spellings of one id are two payments; (\"ab\",\"c\") and (\"a\",\"bc\") are two keys")
    func bytesNotCanonicalEquivalence() {
        var table = PaymentTable()
        table.insert(Self.state("caf\u{e9}", merchantRef: "nfc"))
        table.insert(Self.state("cafe\u{301}", merchantRef: "nfd"))
        table.insert(Self.state("c", source: "ab", merchantRef: "ab|c"))
        table.insert(Self.state("bc", source: "a", merchantRef: "a|bc"))
        #expect(table.count == 4)
        #expect(table[PaymentKey(source: "noventiq", paymentID: "caf\u{e9}")]?.merchantRef == "nfc")
        #expect(table[PaymentKey(source: "noventiq", paymentID: "cafe\u{301}")]?.merchantRef == "nfd")
        #expect(table[PaymentKey(source: "ab", paymentID: "c")]?.merchantRef == "ab|c")
        #expect(table[PaymentKey(source: "a", paymentID: "bc")]?.merchantRef == "a|bc")
        #expect(table[PaymentKey(source: "noventiq", paymentID: "cafe")] == nil)
    }

    @Test("a copy shares every shard; writing the original copies only the shard it touches and leaves the copy as it was")
    func copyOnWrite() {
        var table = PaymentTable()
        for n in 0..<2000 { table.apply(Self.event(UInt64(n + 1), payment: "p\(n)"), paymentID: "p\(n)") }
        let copy = table
        let touched = Self.shardIndex("p7")
        let untouched = (0..<PaymentTable.shardTotal).filter { $0 != touched && table.shards[$0].count > 0 }
        for i in untouched + [touched] { #expect(Self.arenaAddress(copy, i) == Self.arenaAddress(table, i)) }
        let before = copy[PaymentKey(source: "noventiq", paymentID: "p7")]
        table.apply(Self.event(5000, payment: "p7", status: .refunded), paymentID: "p7")
        #expect(Self.arenaAddress(copy, touched) != Self.arenaAddress(table, touched))
        #expect(untouched.allSatisfy { Self.arenaAddress(copy, $0) == Self.arenaAddress(table, $0) })
        #expect(copy[PaymentKey(source: "noventiq", paymentID: "p7")] == before)
        #expect(table[PaymentKey(source: "noventiq", paymentID: "p7")]?.status == .refunded)
        var released = copy
        released.releaseShard(touched)
        #expect(released.count == copy.count - Int(copy.shards[touched].count) && table.count == 2000)
        #expect(table[PaymentKey(source: "noventiq", paymentID: "p7")]?.lastSeq == 5000)
    }

    static func stamp(_ t: PaymentTable, _ id: String) -> PaymentChangeStamp {
        t.changeStamp(hash: PaymentTable.hash(source: "noventiq".utf8, paymentID: id.utf8))
    }

    static func group(_ id: String) -> Int {
        Int(PaymentTable.hash(source: "noventiq".utf8, paymentID: id.utf8) >> UInt64(64 - PaymentTable.stampGroupBits))
    }

    @Test("every kind of write to a shard gives its group a new change stamp, never seen before; other groups keep theirs")
    func changeStamps() {
        var table = PaymentTable()
        #expect(Self.stamp(table, "p7").group == 0, "an empty table")
        for n in 0..<2000 { table.apply(Self.event(UInt64(n + 1), payment: "p\(n)"), paymentID: "p\(n)") }
        let other = try! #require((0..<2000).map { "p\($0)" }.first { Self.group($0) != Self.group("p7") })
        let otherStamp = Self.stamp(table, other)
        var seen: Set<UInt64> = [Self.stamp(table, "p7").group]
        func wrote(_ what: String, _ t: PaymentTable) {
            let s = Self.stamp(t, "p7")
            #expect(seen.insert(s.group).inserted, "\(what): a new stamp")
            #expect(Self.stamp(t, other).group == otherStamp.group, "\(what): another group's stamp is as it was")
        }
        let copy = table
        table.apply(Self.event(5000, payment: "p7", status: .refunded), paymentID: "p7")
        wrote("apply", table)
        #expect(Self.stamp(copy, "p7").group != Self.stamp(table, "p7").group, "the copy keeps its own")
        let i = Self.shardIndex("p7")
        table.install(copy.shards[i], at: i)
        wrote("install", table)
        table.expire(through: 7, shard: i)
        wrote("expire", table)
        table.releaseShard(i)
        wrote("release", table)
        table.insert(Self.state("p7"))
        wrote("insert", table)
        var rebuilt = PaymentTable()
        for n in 0..<2000 { rebuilt.apply(Self.event(UInt64(n + 1), payment: "p\(n)"), paymentID: "p\(n)") }
        #expect(!seen.contains(Self.stamp(rebuilt, "p7").group), "another table with the same payments: its own stamps")
        let interns = Self.stamp(table, other).interns
        table.insert(Self.state("p7", currency: "a new currency"))
        #expect(Self.stamp(table, other).interns != interns, "a new interned string moves every payment's stamp")
    }

    @Test("expiry drops a payment whose newest event seq is at the bound (N) and keeps it one below (N+1 survives); survivors stay findable")
    func expiry() {
        var table = PaymentTable()
        for n in 0..<3000 { table.apply(Self.event(UInt64(n + 1), payment: "p\(n % 1000)"), paymentID: "p\(n % 1000)") }
        // p(k) has events k+1, k+1001, k+2001: its last seq is k + 2001.
        var bounded = table
        bounded.expire(through: 2001 + 499)
        #expect(bounded.count == 500)
        #expect(bounded[PaymentKey(source: "noventiq", paymentID: "p499")] == nil)
        #expect(bounded[PaymentKey(source: "noventiq", paymentID: "p500")] == table[PaymentKey(source: "noventiq", paymentID: "p500")])
        for k in 500..<1000 { #expect(bounded[PaymentKey(source: "noventiq", paymentID: "p\(k)")]?.lastSeq == UInt64(k + 2001)) }
        var one = table
        one.expire(through: 2001)
        #expect(one.count == 999 && one[PaymentKey(source: "noventiq", paymentID: "p0")] == nil)
        one.expire(through: 2000)
        #expect(one.count == 999 && one[PaymentKey(source: "noventiq", paymentID: "p1")] != nil)
        var all = table
        all.expire(through: 3001)
        #expect(
            all.count == 0
                && all.heapBytes() <= HeapCost.array(capacity: PaymentTable.shardTotal, stride: MemoryLayout<PaymentShard>.stride)
                    + HeapCost.array(capacity: 1 << PaymentTable.stampGroupBits, stride: MemoryLayout<UInt64>.stride) + all.interns.heapBytes()
        )
        #expect(table.count == 1000)
    }
}
