import PayhookCore
import PayhookLog

/// How the index's two big tables (dedup, payments) are cut so that a snapshot needs no copy of
/// them: each table is `shardCount` shards, each shard its own copy-on-write value. The loop
/// hands the snapshot thread a copy of its index (O(1): the shards are shared); a later write
/// on the loop copies only the shard it touches, and the snapshot thread releases each shard
/// once written, so the loop's later writes find it unshared and copy nothing.
///
/// A table encodes and decodes its own shards (the snapshot's framing, order and checksum are
/// `IndexSnapshot`'s); a snapshot whose shard count differs from this build's does not decode
/// and recovery replays instead.
protocol ShardedIndexTable: Sendable, Equatable {
    /// An empty table.
    init()
    /// Number of shards (fixed per table type and build).
    var shardCount: Int { get }
    /// Entries in the table.
    var count: Int { get }
    /// Appends shard `i` in the table's snapshot encoding.
    func encodeShard(_ i: Int, into w: inout ByteWriter)
    /// Reads shard `i` as `encodeShard` wrote it, into an empty shard.
    mutating func decodeShard(_ i: Int, from r: inout ByteReader) throws(DecodeError)

    /// One shard read apart from the table (`decodeDetached`), to be `install`ed.
    associatedtype Shard: Sendable
    /// What `decodeDetached` needs of the table (read only, shared by the reading threads).
    associatedtype DecodeContext: Sendable
    var decodeContext: DecodeContext { get }
    /// Reads shard `i` (never 0: shard 0 may carry table-wide state and goes through
    /// `decodeShard`) as `encodeShard` wrote it, touching no table, so a snapshot's shards are
    /// read on several threads at once (`IndexSnapshot.decodeParts`).
    static func decodeDetached(_ i: Int, from r: inout ByteReader, context: DecodeContext) throws(DecodeError) -> Shard
    /// Puts a shard `decodeDetached` read in place of empty shard `i`.
    mutating func install(_ shard: Shard, at i: Int)
    /// Empties shard `i` (the snapshot's copy frees, shard by shard, what the loop no longer
    /// shares).
    mutating func releaseShard(_ i: Int)
    /// Bounded dedup: drops shard `i`'s entries whose seq (dedup: first record of the identity;
    /// payments: newest event) is at or before `seq`. The loop spreads a pass over many turns.
    mutating func expire(through seq: UInt64, shard i: Int)
    /// Heap bytes the table holds (an estimate, `HeapCost`), for `log stats`.
    func heapBytes() -> Int
}

extension ShardedIndexTable {
    /// Every shard at once (unit tests and small indexes; the loop expires shard by shard).
    mutating func expire(through seq: UInt64) { for i in 0..<shardCount { expire(through: seq, shard: i) } }
}
