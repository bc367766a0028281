import PayhookCore
import Testing

@testable import PayhookLog
@testable import PayhookStore

/// The payment table's snapshot encoding (raw shards, shard 0 carrying the intern list) and its
/// bounds: bad bytes throw and never trap, the intern list stops at its limits.
@Suite struct PaymentTableShardTests {
    typealias T = PaymentTableTests

    static func encode(_ t: PaymentTable, _ i: Int) -> [UInt8] {
        var w = ByteWriter()
        t.encodeShard(i, into: &w)
        return w.bytes
    }

    /// Decodes shard `i` from `bytes` into `table`; the whole of `bytes` must be read.
    static func decode(_ bytes: [UInt8], shard i: Int, into table: inout PaymentTable) throws(DecodeError) {
        try ByteReader.read(bytes[...]) { (r: inout ByteReader) throws(DecodeError) in
            try table.decodeShard(i, from: &r)
            guard r.remaining == 0 else { throw DecodeError(offset: r.offset, what: "trailing") }
        }
    }

    static func roundTrip(_ t: PaymentTable) throws -> PaymentTable {
        var out = PaymentTable()
        for i in 0..<t.shardCount { try decode(encode(t, i), shard: i, into: &out) }
        return out
    }

    static func updated() -> PaymentTable {
        var table = PaymentTable()
        for seq in UInt64(1)...1500 {
            let id = "pay-\(seq % 400)-\(String(repeating: "z", count: Int(seq % 40)))"
            table.apply(T.event(seq, payment: id, status: PaymentStatus.allCases[Int(seq) % 8], merchantRef: "R\(seq)"), paymentID: id)
        }
        table.insert(T.state("nfd-cafe\u{301}", merchantRef: nil, providerStatus: nil, amount: nil, currency: nil, seqs: []))
        return table
    }

    @Test("every shard encodes and decodes to the same states (dead records left out), and encodes again to the same bytes")
    func shardRoundTrip() throws {
        let table = Self.updated()
        let back = try Self.roundTrip(table)
        #expect(back == table && back.count == table.count)
        for i in 0..<table.shardCount where table.shards[i].count > 0 {
            #expect(Self.encode(back, i) == Self.encode(table, i))
            #expect(back.shards[i].deadBytes == 0)
        }
        var other = back
        other.insert(T.state("one more"))
        #expect(other != table)
    }

    @Test("an empty table's shards encode and decode as empty; a later shard before shard 0 cannot name an intern")
    func emptyAndOrder() throws {
        #expect(try Self.roundTrip(PaymentTable()).count == 0)
        var table = PaymentTable()
        table.insert(T.state("x"))
        let i = T.shardIndex("x")
        var fresh = PaymentTable()
        #expect(throws: DecodeError.self) { try Self.decode(Self.encode(table, i), shard: i, into: &fresh) }
    }

    @Test("flipping any byte of a shard's encoding, or cutting it anywhere, throws DecodeError or decodes to a table that reads without trapping")
    func corruptBytes() throws {
        var table = PaymentTable()
        table.insert(T.state("café", merchantRef: "R", seqs: [3, 9, 1 << 33]))
        let id2 = (0...).lazy.map { "other-\($0)" }.first { T.shardIndex($0) == T.shardIndex("café") }!
        table.insert(T.state(id2, merchantRef: nil, amount: "1.0", currency: "USD", seqs: [4]))
        let i = T.shardIndex("café")
        let zero = Self.encode(table, 0)
        let bytes = Self.encode(table, i)
        var thrown = 0
        for at in bytes.indices {
            for flip: UInt8 in [0xFF, 0x01, 0x80] {
                var bad = bytes
                bad[at] ^= flip
                var t = PaymentTable()
                do {
                    try Self.decode(zero, shard: 0, into: &t)
                    try Self.decode(bad, shard: i, into: &t)
                    // Decoded: every record must read (a validated arena never traps later).
                    t.forEach { p in _ = t[T.key(p)] }
                } catch { thrown += 1 }
            }
        }
        #expect(thrown > bytes.count)
        for cut in 0..<bytes.count {
            var t = PaymentTable()
            try Self.decode(zero, shard: 0, into: &t)
            #expect(throws: DecodeError.self) { try Self.decode(Array(bytes[..<cut]), shard: i, into: &t) }
        }
        for at in zero.indices {
            var bad = zero
            bad[at] ^= 0xFF
            var t = PaymentTable()
            do { try Self.decode(bad, shard: 0, into: &t) } catch {}
        }
    }

    @Test("a key stored twice in a shard's bytes is refused")
    func duplicateKey() throws {
        var table = PaymentTable()
        table.insert(T.state("dup"))
        let i = T.shardIndex("dup")
        var bytes = Self.encode(table, i)
        let record = Array(bytes[8...])
        bytes = [2, 0, 0, 0] + withUnsafeBytes(of: UInt32(record.count * 2).littleEndian, Array.init) + record + record
        var t = PaymentTable()
        try Self.decode(Self.encode(table, 0), shard: 0, into: &t)
        #expect(throws: DecodeError.self) { try Self.decode(bytes, shard: i, into: &t) }
    }

    @Test(
        "the intern list takes entriesMax strings (N) and keeps the next one inline (N+1); strings of stringBytesMax bytes are interned, one byte more inline"
    )
    func internBound() throws {
        var table = PaymentTable()
        table.insert(T.state("first"))
        let used = table.interns.count
        #expect(used == 4)  // "noventiq" (source and provider), kind, provider_status, currency
        var n = 0
        while table.interns.count < PaymentInterns.entriesMax {
            table.insert(T.state("c\(n)", currency: "C\(n)"))
            n += 1
        }
        #expect(table.interns.count == PaymentInterns.entriesMax && n == PaymentInterns.entriesMax - used)
        table.insert(T.state("over", currency: "NEW"))
        #expect(table.interns.count == PaymentInterns.entriesMax)
        #expect(table[PaymentKey(source: "noventiq", paymentID: "over")]?.currency == "NEW")
        #expect(table[PaymentKey(source: "noventiq", paymentID: "c\(n - 1)")]?.currency == "C\(n - 1)")
        #expect(try Self.roundTrip(table) == table)

        var short = PaymentTable()
        let n32 = String(repeating: "s", count: PaymentInterns.stringBytesMax)
        short.insert(T.state("a", providerStatus: n32))
        #expect(short.interns.strings.contains(n32))
        short.insert(T.state("b", providerStatus: n32 + "s"))
        #expect(!short.interns.strings.contains(n32 + "s") && short.interns.count == 4)
        #expect(short[PaymentKey(source: "noventiq", paymentID: "b")]?.providerStatus == n32 + "s")
        #expect(try Self.roundTrip(short) == short)
    }
}
