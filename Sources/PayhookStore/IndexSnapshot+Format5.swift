import Glibc
import PayhookLog
import PayhookPosix

/// Format 5 (the layout is in IndexSnapshot.swift's header comment): written and read as a
/// stream, table by table and shard by shard.
extension IndexSnapshot {
    /// The snapshot of `index` as one array (tests; `write` streams to the file instead).
    static func encode(_ index: LogIndex) -> [UInt8] {
        var copy = index
        var out = SnapshotStreamWriter(ArraySnapshotSink())
        // An array sink never throws.
        try! stream(consuming: &copy, into: &out)
        return out.sink.bytes
    }

    /// Streams `index` in format 5, releasing each shard once it is written: `index` is the
    /// snapshot thread's copy, which shares its shards with the loop's index, so a released
    /// shard is freed here, or left to the loop alone (whose next write then copies nothing).
    /// `index`'s tables are empty afterwards.
    static func stream<S: SnapshotSink>(consuming index: inout LogIndex, into out: inout SnapshotStreamWriter<S>) throws(SyscallError) {
        let nextSeq = index.nextSeq
        let quarantined = UInt64(index.quarantinedCount)
        try out.put { w in
            w.bytes.append(contentsOf: magic)
            w.u16(version)
            w.u16(0)
            w.u64(nextSeq)
            w.u64(quarantined)
        }
        try streamTable(&index.dedupTable, into: &out)
        try streamTable(&index.payments, into: &out)
        let segments = index.segments
        try out.put { w in w.u32(UInt32(segments.count)) }
        for s in segments {
            try out.put { w in
                w.u64(s.firstSeq)
                w.i64(s.endOffset)
                w.i64(s.newestMs)
                w.u32(UInt32(s.offsets.count))
                for o in s.offsets { w.u32(o) }
            }
        }
        let retired = index.retired
        try out.put { w in
            w.u32(UInt32(retired.count))
            for s in retired {
                w.u64(s.lastSeq)
                w.i64(s.newestMs)
            }
        }
        try out.finish()
    }

    private static func streamTable<T: ShardedIndexTable, S>(_ table: inout T, into out: inout SnapshotStreamWriter<S>) throws(SyscallError) {
        let shards = table.shardCount
        try out.put { w in w.u32(UInt32(shards)) }
        // What an empty shard encodes to: such shards are left out (most of a small index's).
        var emptyShard = ByteWriter(capacity: 64)
        T().encodeShard(shards - 1, into: &emptyShard)
        var scratch = ByteWriter(capacity: 4096)
        for i in 0..<shards {
            table.encodeShard(i, into: &scratch)
            if i == 0 || scratch.bytes != emptyShard.bytes {
                try out.put { w in w.u32(UInt32(i)) }
                try out.putPart(scratch.bytes)
            }
            scratch.bytes.removeAll(keepingCapacity: true)
            table.releaseShard(i)
        }
        try out.put { w in w.u32(endOfShards) }
    }

    static let endOfShards = UInt32.max

    /// Decodes a format 5 body from `r`, positioned after the version and reserved fields, and
    /// checks the CRC at the end (nothing decoded is returned unless it matches).
    static func decodeStreamed(_ r: inout SnapshotStreamReader) throws(DecodeError) -> LogIndex {
        var index = LogIndex()
        index.segmentMap.nextSeq = try r.u64("next_seq")
        index.quarantinedCount = Int(try r.u64("quarantined"))
        try decodeTable(&index.dedupTable, "dedup", &r)
        try decodeTable(&index.payments, "payments", &r)
        let segmentCount = Int(try r.u32("segment count"))
        guard segmentCount <= r.remaining / 28 else { throw DecodeError(offset: r.consumed, what: "segment count \(segmentCount)") }
        for _ in 0..<segmentCount {
            let (first, end, newest, n) = try r.decode(28, "segment") { (b: inout ByteReader) throws(DecodeError) in
                (try b.u64("first_seq"), try b.i64("end_offset"), try b.i64("newest_ms"), Int(try b.u32("offset count")))
            }
            guard n <= r.remaining / 4 else { throw DecodeError(offset: r.consumed, what: "offset count \(n)") }
            let offsets = try r.decode(n * 4, "offsets") { (b: inout ByteReader) throws(DecodeError) in
                var offsets: [UInt32] = []
                offsets.reserveCapacity(n)
                for _ in 0..<n { offsets.append(try b.u32("offset")) }
                return offsets
            }
            index.segmentMap.segments.append(SegmentSummary(firstSeq: first, offsets: offsets, endOffset: end, newestMs: newest))
        }
        let retiredCount = Int(try r.u32("retired count"))
        guard retiredCount <= r.remaining / 16 else { throw DecodeError(offset: r.consumed, what: "retired count \(retiredCount)") }
        index.retired = try r.decode(retiredCount * 16, "retired") { (b: inout ByteReader) throws(DecodeError) in
            var retired: [RetiredSegment] = []
            for _ in 0..<retiredCount { retired.append(RetiredSegment(lastSeq: try b.u64("retired seq"), newestMs: try b.i64("retired ms"))) }
            return retired
        }
        try r.finish()
        return index
    }

    /// A table's shards; a shard count other than this build's does not decode (recovery then
    /// takes an older snapshot or replays).
    private static func decodeTable<T: ShardedIndexTable>(_ table: inout T, _ what: String, _ r: inout SnapshotStreamReader) throws(DecodeError) {
        let n = Int(try r.u32("\(what) shard count"))
        guard n == table.shardCount else {
            throw DecodeError(offset: r.consumed, what: "\(what): \(n) shards, this build has \(table.shardCount)")
        }
        var next = 0
        // Shard 0 (which may carry table-wide state) is read at once, the others in batches on
        // several threads (`decodeParts`).
        var batch: [SnapshotShardBytes] = []
        var batchBytes = 0
        while true {
            let index = try r.u32("\(what) shard index")
            if index == endOfShards { break }
            let i = Int(index)
            guard i < n, i >= next, next > 0 || i == 0 else {
                throw DecodeError(offset: r.consumed, what: "\(what): shard \(i) out of order")
            }
            next = i + 1
            let bytes = try r.u64("\(what) shard length")
            guard bytes <= UInt64(r.remaining) else { throw DecodeError(offset: r.consumed, what: "\(what) shard \(i): \(bytes) bytes") }
            if i == 0 {
                try r.decode(Int(bytes), "\(what) shard \(i)") { (b: inout ByteReader) throws(DecodeError) in try table.decodeShard(i, from: &b) }
                continue
            }
            let at = r.consumed
            batch.append(SnapshotShardBytes(index: i, offset: at, bytes: try r.take(Int(bytes), "\(what) shard \(i)")))
            batchBytes += Int(bytes)
            if batchBytes >= decodeBatchBytes {
                try decodeParts(&table, what, batch)
                batch.removeAll(keepingCapacity: true)
                batchBytes = 0
            }
        }
        try decodeParts(&table, what, batch)
        guard next > 0 else { throw DecodeError(offset: r.consumed, what: "\(what): shard 0 missing") }
    }

    /// Reads the snapshot in `file` (`size` bytes): format 5 streamed, older formats whole.
    static func read(_ file: File, size: Int) throws(DecodeError) -> LogIndex {
        let source = { (offset: Int, count: Int) throws(DecodeError) -> [UInt8] in
            do throws(SyscallError) { return try file.read(count: count, at: Int64(offset)) } catch {
                throw DecodeError(offset: offset, what: "reading the snapshot: \(error)")
            }
        }
        return try decode(size: size, source: source)
    }

    /// Decodes a snapshot whose bytes `source` reads (see `read`).
    static func decode(size: Int, source: @escaping (Int, Int) throws(DecodeError) -> [UInt8]) throws(DecodeError) -> LogIndex {
        var r = try SnapshotStreamReader(size: size, source: source)
        let (head, fileVersion) = try r.decode(10, "header") { (b: inout ByteReader) throws(DecodeError) in
            (try (0..<8).map { (_: Int) throws(DecodeError) in try b.u8("magic") }, try b.u16("version"))
        }
        guard head == magic else { throw DecodeError(offset: 0, what: "bad snapshot magic") }
        guard fileVersion == version else {
            // Formats 1-4: written before streaming, read whole (they were written whole too).
            return try decodeWhole(try source(0, size))
        }
        _ = try r.decode(2, "reserved") { (b: inout ByteReader) throws(DecodeError) in try b.u16("reserved") }
        return try decodeStreamed(&r)
    }

    /// Writes `index` durably, streamed and releasing its shards as it goes (`stream`):
    /// temporary file, fdatasync, rename, fsync of the directory; then removes snapshots older
    /// than the previous one (one spare survives a damaged newest).
    static func write(consuming index: inout LogIndex, logDir: String) throws(SyscallError) {
        let covered = index.lastSeq
        // One temporary name: a crash mid-write leaves one file, truncated by the next write.
        try FileSystem.replaceDurably(logDir + "/" + fileName(lastSeq: covered), temporary: logDir + "/index.snap.tmp") {
            (file: File) throws(SyscallError) in
            var out = SnapshotStreamWriter(FileSnapshotSink(file: file))
            try stream(consuming: &index, into: &out)
        }
        let old = try FileSystem.list(logDir).compactMap { lastSeq(fileName: $0) }.sorted().dropLast(2)
        for seq in old { try? FileSystem.unlink(logDir + "/" + fileName(lastSeq: seq)) }
    }
}
