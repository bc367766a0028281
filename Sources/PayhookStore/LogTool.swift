import CLinuxShim
import Glibc
import PayhookCore
import PayhookLog
import PayhookPosix

/// `payhookd log verify|dump|stats` over `storage.dir/log`: `LogVerify`'s passes with the
/// records decoded, and their JSON.
public enum LogTool {
    /// `LogVerify.verify` with every body decoded (a CRC-valid record that does not decode is
    /// damage).
    public static func verify(dir: String) -> (report: String, exitCode: Int32) {
        LogVerify.verify(dir: dir) { (r: RawRecord) throws(DecodeError) in _ = try RecordCodec.decodePayload(r.payload, requestFields: false) }
    }

    /// Visits every record with seq >= `from` in order; stops at a torn tail, throws on damage.
    public static func forEachRecord(dir: String, from: UInt64 = 1, _ visit: (LogRecord) -> Void) throws(LogOpenError) {
        try LogVerify.forEachRecord(dir: dir, from: from) { (r: RawRecord) throws(DecodeError) in visit(try RecordCodec.decodePayload(r.payload)) }
    }

    /// JSON lines from seq `from`: normalized events (`payhook.event/v1`, `data` is the body when
    /// it was valid JSON at ingest, else null), or with `raw` the stored requests
    /// (`{"seq","received_at","source","peer","client","method","path","headers":[[name,value]],
    /// "body_base64","verified_by"}`). Records of other types are skipped.
    public static func dump(dir: String, from: UInt64 = 1, raw: Bool, write: (String) -> Void) throws(LogOpenError) {
        try forEachRecord(dir: dir, from: from) { record in
            guard case .event(let request, let event) = record.payload else { return }
            if !raw {
                write(String(decoding: event.jsonBytes(data: request.bodyIsJSON ? request.body : nil), as: UTF8.self))
                return
            }
            var w = JSONWriter()
            w.beginObject()
            w.key("seq")
            w.integer(record.seq)
            w.key("received_at")
            w.string(Timestamp.iso8601(unixMs: event.receivedAtMs))
            w.key("source")
            w.string(event.source)
            w.key("peer")
            w.string(request.peerAddress)
            w.key("client")
            w.string(request.clientAddress)
            w.key("method")
            w.string(request.method)
            w.key("path")
            w.string(request.path)
            w.key("headers")
            w.beginArray()
            for h in request.headers {
                w.beginArray()
                w.string(h.name)
                w.string(h.value)
                w.endArray()
            }
            w.endArray()
            w.key("body_base64")
            w.string(Base64.encode(request.body))
            w.key("verified_by")
            w.string(event.verifiedBy)
            w.endObject()
            write(w.string)
        }
    }

    /// Segments, records, bytes, first/last seq and receive time, quarantined and duplicate
    /// counts, then index memory by part and the newest snapshot (`indexStats`), as `key: value`
    /// lines.
    public static func stats(dir: String, nowMs: Int64 = SystemClock().nowUnixMs()) throws(LogOpenError) -> String {
        var records = 0
        var quarantined = 0
        var duplicates = 0
        var firstSeq: UInt64?
        var lastSeq: UInt64 = 0
        var firstMs: Int64?
        var lastMs: Int64?
        try forEachRecord(dir: dir) { r in
            records += 1
            if firstSeq == nil { firstSeq = r.seq }
            lastSeq = r.seq
            let ms = r.payload.receivedAtMs
            firstMs = min(firstMs ?? ms, ms)
            lastMs = max(lastMs ?? ms, ms)
            if case .duplicate = r.payload { duplicates += 1 }
            if r.event?.quarantined != nil { quarantined += 1 }
        }
        let logDir = LogFiles.logDirectory(dir)
        let seqs = (try? LogRecovery.segmentSeqs(logDir)) ?? []
        var bytes: Int64 = 0
        for s in seqs { bytes += ((try? FileSystem.size(logDir + "/" + LogFormat.segmentName(firstSeq: s))) ?? nil) ?? 0 }
        return
            ([
                "segments: \(seqs.count)", "records: \(records)", "bytes: \(bytes)",
                "first_seq: \(firstSeq.map(String.init) ?? "-")", "last_seq: \(firstSeq == nil ? "-" : String(lastSeq))",
                "first_received_at: \(firstMs.map { Timestamp.iso8601(unixMs: $0) } ?? "-")",
                "last_received_at: \(lastMs.map { Timestamp.iso8601(unixMs: $0) } ?? "-")",
                "quarantined: \(quarantined)", "duplicates: \(duplicates)",
            ] + indexStats(logDir: logDir, nowMs: nowMs)).joined(separator: "\n")
    }
}

/// RFC 4648 section 4 base64 (with padding), for `log dump --raw`.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let b0 = bytes[i]
            let b1 = i + 1 < bytes.count ? bytes[i + 1] : 0
            let b2 = i + 2 < bytes.count ? bytes[i + 2] : 0
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            out.append(i + 1 < bytes.count ? alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            out.append(i + 2 < bytes.count ? alphabet[Int(b2 & 0x3F)] : UInt8(ascii: "="))
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
