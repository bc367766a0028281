import CLinuxShim
import Glibc
import PayhookPosix
import TestSupport
import Testing

@testable import PayhookLog
@testable import PayhookStore

/// Snapshot format 5, streamed: a truncated or damaged file never decodes (recovery falls back
/// to an older snapshot or replays), a shard count other than the build's is refused, and
/// version 4 files still read.
@Suite struct SnapshotFormat5Tests {
    static func generatedIndex() -> LogIndex {
        var index = LogIndex()
        for (i, p) in DedupDigestTests.generatedLog().enumerated() { index.apply(p, at: LogIdentityTests.at(UInt64(i + 1)), frameBytes: 1) }
        index.retired = [RetiredSegment(lastSeq: 0, newestMs: 7)]
        return index
    }

    @Test("round trip; cut or a byte flipped (every offset of the first 512, every 7th after): never decodes, never traps")
    func truncatedOrFlipped() throws {
        let index = Self.generatedIndex()
        let bytes = IndexSnapshot.encode(index)
        #expect(Array(bytes[8..<10]) == [5, 0])
        #expect(try IndexSnapshot.decode(bytes) == index)
        // Every offset of the header and the first shards, then a spread over the rest (each
        // decode builds two tables of 65,536 shards).
        let offsets = Array(0..<min(bytes.count, 512)) + Array(stride(from: 512, to: bytes.count, by: 7))
        for cut in offsets {
            #expect(throws: DecodeError.self, "cut at \(cut)") { _ = try IndexSnapshot.decode(Array(bytes.prefix(cut))) }
        }
        for at in offsets {
            var damaged = bytes
            damaged[at] ^= 0x5A
            #expect(throws: DecodeError.self, "flipped at \(at)") { _ = try IndexSnapshot.decode(damaged) }
        }
    }

    @Test("a shard count other than the build's does not decode, even with a valid CRC")
    func shardCountMismatch() throws {
        var bytes = IndexSnapshot.encode(Self.generatedIndex())
        // Header (12) + next_seq (8) + quarantined (8): the dedup table's shard count.
        #expect(SegmentScanner.readU32(bytes, 28) == UInt32(DedupTable().shardCount))
        bytes[28] &+= 1
        bytes.removeLast(4)
        var w = ByteWriter(capacity: 4)
        w.u32(bytes.withUnsafeBytes { cshim_crc32c(0, $0.baseAddress!, $0.count) })
        bytes += w.bytes
        #expect(throws: DecodeError.self) { _ = try IndexSnapshot.decode(bytes) }
    }

    @Test("a version 4 snapshot (written whole, by hand here) still reads")
    func version4() throws {
        var index = LogIndex()
        let event = Fixtures.event(1, payment: "p1")
        index.apply(.event(Fixtures.request(), event), at: LogIdentityTests.at(1), frameBytes: 1)
        index.retired = [RetiredSegment(lastSeq: 0, newestMs: 7)]
        let digest = DedupDigest.of(LogIndex.dedupKey(event).string)
        var w = ByteWriter(capacity: 1024)
        w.bytes.append(contentsOf: IndexSnapshot.magic)
        w.u16(4)
        w.u16(0)
        w.u64(index.nextSeq)
        w.u64(0)
        w.u64(1)  // dedup slots
        w.u64(digest.hi)
        w.u64(digest.lo)
        w.u64(1)
        w.u64(0)  // exact
        w.u64(1)  // payments
        IndexSnapshot.encode(try #require(index.lookup(source: "noventiq", paymentID: "p1")), into: &w)
        w.u32(UInt32(index.segments.count))
        for s in index.segments {
            w.u64(s.firstSeq)
            w.i64(s.endOffset)
            w.i64(s.newestMs)
            w.u32(UInt32(s.offsets.count))
            for o in s.offsets { w.u32(o) }
        }
        w.u32(1)
        w.u64(0)
        w.i64(7)
        w.u32(w.bytes.withUnsafeBytes { cshim_crc32c(0, $0.baseAddress!, $0.count) })
        #expect(try IndexSnapshot.decode(w.bytes) == index)
    }

    @Test("the newest snapshot damaged or cut: start-up takes the older one and replays the rest", arguments: ["flip", "cut"])
    func fallsBack(damage: String) throws {
        let log = try TestLog(options: Fixtures.options(snapshotEvery: 0))
        defer { log.dir.remove() }
        log.append((1...10).map { Fixtures.payload($0, payment: "p\($0 % 4)") })
        log.writer.requestMaintenance(log.index)
        for _ in 0..<10_000 where log.writer.snapshotSeq < 10 { usleep(1_000) }
        log.append((11...20).map { Fixtures.payload($0, payment: "p\($0 % 4)") }, firstTicket: 11)
        log.close()  // the final snapshot, at 20
        let path = Log.logDirectory(log.dir.path) + "/" + IndexSnapshot.fileName(lastSeq: 20)
        let file = try File.open(path, flags: O_RDWR)
        let size = try file.size()
        if damage == "flip" {
            var byte = try file.read(count: 1, at: size / 2)
            byte[0] ^= 0x01
            try file.pwriteAll(byte, at: size / 2)
        } else {
            try file.truncate(to: size - 9)
        }
        file.close()
        let again = try TestLog(dir: log.dir)
        defer { again.close() }
        #expect(again.opened.report.snapshotSeq == 10)
        #expect(again.opened.report.recordsReplayed == 10)
        #expect(again.index == log.index)
    }
}
