import TestSupport
import Testing

@testable import PayhookLog
@testable import PayhookStore

/// A snapshot's shards are read on several threads (`IndexSnapshot.decodeParts`): the tables
/// come out the same whatever the thread count, and a damaged shard is reported as the first
/// one in file order, never as whichever thread failed first.
@Suite struct SnapshotParallelDecodeTests {
    /// 2,000 events over 1,000 payments: about a thousand shards of each table in use.
    static let index: LogIndex = {
        var index = LogIndex()
        for seq in UInt64(1)...2000 {
            index.apply(.event(Fixtures.request(), Fixtures.event(Int(seq), payment: "p\(seq % 1000)")), at: LogIdentityTests.at(seq), frameBytes: 1)
        }
        return index
    }()

    /// Every non-empty shard of `table` but shard 0, as the snapshot stream hands them over
    /// (offsets as if laid back to back from 1,000).
    static func parts<T: ShardedIndexTable>(_ table: T) -> [SnapshotShardBytes] {
        var parts: [SnapshotShardBytes] = []
        var offset = 1000
        var empty = ByteWriter()
        T().encodeShard(table.shardCount - 1, into: &empty)
        for i in 1..<table.shardCount {
            var w = ByteWriter()
            table.encodeShard(i, into: &w)
            guard w.bytes != empty.bytes else { continue }
            parts.append(SnapshotShardBytes(index: i, offset: offset, bytes: w.bytes))
            offset += w.bytes.count
        }
        return parts
    }

    /// A table holding only what shard 0 carries (for payments, the intern list).
    static func withShard0<T: ShardedIndexTable>(of table: T) throws -> T {
        var w = ByteWriter()
        table.encodeShard(0, into: &w)
        var fresh = T()
        try ByteReader.read(w.bytes[...]) { (r: inout ByteReader) throws(DecodeError) in try fresh.decodeShard(0, from: &r) }
        return fresh
    }

    @Test("payments and dedup read on 1 to 5 threads: the same tables as written", arguments: [1, 2, 3, 5])
    func sameTables(threads: Int) throws {
        let index = Self.index
        #expect(index.payments.count == 1000 && index.dedupTable.count == 2000)
        var payments = try Self.withShard0(of: index.payments)
        try IndexSnapshot.decodeParts(&payments, "payments", Self.parts(index.payments), threads: threads)
        #expect(payments == index.payments)
        var dedup = try Self.withShard0(of: index.dedupTable)
        try IndexSnapshot.decodeParts(&dedup, "dedup", Self.parts(index.dedupTable), threads: threads)
        #expect(dedup == index.dedupTable)
    }

    @Test("two damaged shards, 3 threads: the error is the first in file order, at its offset in the file")
    func firstErrorInFileOrder() throws {
        let index = Self.index
        var parts = Self.parts(index.payments)
        #expect(parts.count > 900)
        // A record count far too large for its bytes, in two shards read by different threads.
        for k in [400, 401, 700] {
            parts[k].bytes[0] = 0xFF
            parts[k].bytes[1] = 0xFF
        }
        var payments = try Self.withShard0(of: index.payments)
        let error = try #require(throws: DecodeError.self) {
            try IndexSnapshot.decodeParts(&payments, "payments", parts, threads: 3)
        }
        #expect(error.offset >= parts[400].offset && error.offset < parts[401].offset, "\(error)")
    }

    @Test("ShardWork: every item once, results in order, for 1 to 7 threads and fewer items than threads", arguments: [1, 2, 4, 7])
    func workInOrder(threads: Int) {
        for n in [0, 1, 3, 100] {
            #expect(ShardWork.run(n, threads: threads) { $0 * $0 } == (0..<n).map { $0 * $0 })
        }
    }
}
