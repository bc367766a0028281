import CLinuxShim
import Glibc
import PayhookCore
import PayhookLog
import PayhookPosix

// Snapshot file format, version 5 (storage.dir/log/index-<last seq, 20 digits>.snap):
//   magic "PAYHKSNP", version u16, reserved u16, then the body, then CRC32C (u32) of all bytes
//   before it. Body: next_seq u64, quarantined u64;
//   dedup: u32 shard count, then per shard that is not empty, in shard order: u32 shard index,
//     u64 length, then the shard as `DedupTable` encodes it (`encodeShard`; its layout is the
//     table's); then u32 0xFFFFFFFF. Shard 0 is always written (a table may keep table-wide
//     data there: `PaymentTable`'s intern list); a shard left out is empty;
//   payments: the same for `PaymentTable`;
//   segments: u32 count, then (first_seq u64, end_offset i64, newest_ms i64, u32 count +
//     offsets u32);
//   retired: u32 count, then (last_seq u64, newest_ms i64): segments retention deleted whose
//     dedup entries have not expired (`RetiredSegment`).
// Written as a stream (`IndexSnapshot+Format5.swift`): ~1 MiB chunks, each shard released once
// written, the CRC computed as the bytes go. Read as a stream too, shard by shard, and accepted
// only when the CRC at the end matches. A shard count other than this build's does not decode.
// Strings as in the record format. A snapshot that does not decode is ignored (recovery falls
// back to an older one, or to a full replay).
// Version 4 (read whole): body next_seq u64, quarantined u64; dedup: u64 count, then (digest hi
//   u64, digest lo u64, seq u64) (`DedupDigest` of the id in today's escaped form, `EventID`);
//   u64 count, then (id string, seq u64): the identities kept by their bytes; payments: u64
//   count, then (source, payment_id, provider, kind, merchant_ref?, status u8,
//   provider_status?, amount?, currency?, first_seen i64, last_seen i64, last_seq u64, u32
//   count + seqs u64); segments and retired as in version 5.
// Version 3 is version 4 without the retired list (nothing expires until retention runs again).
// Version 2 stores dedup as (id string, seq u64) and no exact list; it is still read, each id
// digested. Version 1 is the same as 2 except that dedup ids are in the previous, unescaped form; it is still
// read (retention may have deleted the segments it covers), each id standing for every triple
// it may have meant (`EventID.fromLegacy`).

/// Encoding of `LogIndex` snapshots (format above).
enum IndexSnapshot {
    static let magic: [UInt8] = Array("PAYHKSNP".utf8)
    static let version: UInt16 = 5

    static func fileName(lastSeq: UInt64) -> String { SnapshotFiles.fileName(lastSeq: lastSeq) }
    static func lastSeq(fileName name: String) -> UInt64? { SnapshotFiles.lastSeq(fileName: name) }

    /// When the snapshot ending at `lastSeq` was written (its file's mtime, Unix ms); `nil` when
    /// it is not there. One `stat`: callers ask when the snapshot seq changes, not per request.
    static func writtenAtMs(logDir: String, lastSeq: UInt64) -> Int64? {
        (try? FileSystem.modifiedAtMs(logDir + "/" + fileName(lastSeq: lastSeq))) ?? nil
    }

    static func encode(_ p: PaymentState, into w: inout ByteWriter) {
        w.string(p.source)
        w.string(p.paymentID)
        w.string(p.provider)
        w.string(p.kind)
        w.optional(p.merchantRef)
        w.u8(RecordCodec.statusCode(p.status))
        w.optional(p.providerStatus)
        w.optional(p.amount)
        w.optional(p.currency)
        w.i64(p.firstSeenMs)
        w.i64(p.lastSeenMs)
        w.u64(p.lastSeq)
        w.u32(UInt32(p.eventSeqs.count))
        for s in p.eventSeqs { w.u64(s) }
    }

    /// Decodes a snapshot of any version held in memory (tests).
    static func decode(_ bytes: [UInt8]) throws(DecodeError) -> LogIndex {
        try decode(size: bytes.count) { (offset: Int, count: Int) throws(DecodeError) -> [UInt8] in
            Array(bytes[min(offset, bytes.count)..<min(offset + count, bytes.count)])
        }
    }

    /// Versions 1-4, whole.
    static func decodeWhole(_ bytes: [UInt8]) throws(DecodeError) -> LogIndex {
        guard bytes.count >= 16, Array(bytes.prefix(8)) == magic else { throw DecodeError(offset: 0, what: "bad snapshot magic") }
        let stored = SegmentScanner.readU32(bytes, bytes.count - 4)
        let actual = bytes.withUnsafeBytes { cshim_crc32c(0, $0.baseAddress!, $0.count - 4) }
        guard stored == actual else { throw DecodeError(offset: bytes.count - 4, what: "snapshot CRC mismatch") }
        return try ByteReader.read(bytes[8..<(bytes.count - 4)]) { (r: inout ByteReader) throws(DecodeError) in try decodeBody(&r) }
    }

    private static func decodeBody(_ r: inout ByteReader) throws(DecodeError) -> LogIndex {
        let fileVersion = try r.u16("version")
        guard (1...4).contains(fileVersion) else { throw DecodeError(offset: 8, what: "snapshot version") }
        _ = try r.u16("reserved")
        var index = LogIndex()
        index.segmentMap.nextSeq = try r.u64("next_seq")
        index.quarantinedCount = Int(try r.u64("quarantined"))
        if fileVersion >= 3 {
            try decodeDedup(&r, into: &index.dedupTable)
        } else {
            try decodeLegacyDedup(&r, version: fileVersion, into: &index.dedupTable)
        }
        let paymentCount = try count(&r, "payment count", each: 40)
        for _ in 0..<paymentCount { index.payments.insert(try decodePayment(&r)) }
        let segmentCount = Int(try r.u32("segment count"))
        for _ in 0..<segmentCount {
            let first = try r.u64("first_seq")
            let end = try r.i64("end_offset")
            let newest = try r.i64("newest_ms")
            let n = Int(try r.u32("offset count"))
            guard n <= r.remaining / 4 else { throw DecodeError(offset: r.offset, what: "offset count \(n)") }
            var offsets: [UInt32] = []
            offsets.reserveCapacity(n)
            for _ in 0..<n { offsets.append(try r.u32("offset")) }
            index.segmentMap.segments.append(SegmentSummary(firstSeq: first, offsets: offsets, endOffset: end, newestMs: newest))
        }
        if fileVersion >= 4 {
            let n = Int(try r.u32("retired count"))
            guard n <= r.remaining / 16 else { throw DecodeError(offset: r.offset, what: "retired count \(n)") }
            for _ in 0..<n { index.retired.append(RetiredSegment(lastSeq: try r.u64("retired seq"), newestMs: try r.i64("retired ms"))) }
        }
        guard r.remaining == 0 else { throw DecodeError(offset: r.offset, what: "trailing snapshot bytes") }
        return index
    }

    private static func decodeDedup(_ r: inout ByteReader, into table: inout DedupTable) throws(DecodeError) {
        let n = try count(&r, "dedup count", each: 24)
        table.reserveCapacity(n)
        for _ in 0..<n {
            let hi = try r.u64("digest hi")
            try table.restore(hi: hi, slot: DedupTable.Slot(lo: try r.u64("digest lo"), seq: try r.u64("seq")))
        }
        let exact = try count(&r, "exact dedup count", each: 10)
        for _ in 0..<exact {
            let id = try r.string("id")
            table.restoreExact(id, seq: try r.u64("seq"))
        }
    }

    /// Versions 1 and 2: ids as strings, digested here (in seq order, so that the first record
    /// of an identity keeps its slot).
    private static func decodeLegacyDedup(_ r: inout ByteReader, version: UInt16, into table: inout DedupTable) throws(DecodeError) {
        let n = try count(&r, "dedup count", each: 10)
        var entries: [(String, UInt64)] = []
        entries.reserveCapacity(n)
        for _ in 0..<n {
            let id = try r.string("id")
            let seq = try r.u64("seq")
            for key in version == 1 ? EventID.fromLegacy(id) : [id] { entries.append((key, seq)) }
        }
        table.reserveCapacity(entries.count)
        for (id, seq) in entries.sorted(by: { $0.1 < $1.1 }) { table.insert(id, seq: seq) }
    }

    private static func count(_ r: inout ByteReader, _ what: String, each: Int) throws(DecodeError) -> Int {
        let n = try r.u64(what)
        guard n <= UInt64(r.remaining / each) else { throw DecodeError(offset: r.offset, what: "\(what) \(n) is impossible") }
        return Int(n)
    }

    static func decodePayment(_ r: inout ByteReader) throws(DecodeError) -> PaymentState {
        let source = try r.string("source")
        let paymentID = try r.string("payment_id")
        let provider = try r.string("provider")
        let kind = try r.string("kind")
        let merchantRef = try r.optional("merchant_ref")
        let statusCode = try r.u8("status")
        guard let status = RecordCodec.status(code: statusCode) else { throw DecodeError(offset: r.offset, what: "status") }
        let first = NormalizedEvent(
            id: "", seq: 0, source: source, provider: provider, kind: kind, paymentID: paymentID,
            merchantRef: merchantRef, status: .unknown, receivedAtMs: 0, verifiedBy: "")
        var p = PaymentState(first: first, paymentID: paymentID)
        p.status = status
        p.providerStatus = try r.optional("provider_status")
        p.amount = try r.optional("amount")
        p.currency = try r.optional("currency")
        p.firstSeenMs = try r.i64("first_seen")
        p.lastSeenMs = try r.i64("last_seen")
        p.lastSeq = try r.u64("last_seq")
        let n = Int(try r.u32("event count"))
        guard n <= r.remaining / 8 else { throw DecodeError(offset: r.offset, what: "event count \(n)") }
        p.eventSeqs = []
        p.eventSeqs.reserveCapacity(n)
        for _ in 0..<n { p.eventSeqs.append(try r.u64("event seq")) }
        return p
    }
}

extension IndexSnapshot {
    /// The newest snapshot that decodes and matches the segments on disk, with its last seq
    /// (`LogRecovery`'s snapshot loader).
    static func loadNewest(logDir: String, seqs: [UInt64]) -> (LogIndex, UInt64)? {
        guard let names = try? FileSystem.list(logDir) else { return nil }
        for covered in names.compactMap({ lastSeq(fileName: $0) }).sorted(by: >) {
            let path = logDir + "/" + fileName(lastSeq: covered)
            guard let file = try? File.open(path, flags: O_RDONLY) else { continue }
            let decoded = try? read(file, size: Int((try? file.size()) ?? 0))
            file.close()
            guard var index = decoded, index.lastSeq == covered else { continue }
            // Segments retention deleted after this snapshot was written: retired now, so that
            // their dedup entries still expire (`LogIndex.expiryDue`).
            if let first = seqs.first, first > 1 { index.dropSegments(through: first - 1) }
            guard LogRecovery.fit(&index.segmentMap, logDir: logDir, seqs: seqs) else { continue }
            return (index, covered)
        }
        return nil
    }
}
