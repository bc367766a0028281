import CLinuxShim
import Glibc
import PayhookCore
import PayhookPosix

/// `payhookd log verify|dump|stats`: read-only tools over `storage.dir/log` (safe while the
/// daemon runs: they take no lock and never repair).
public enum LogTool {
    /// Checks every segment byte by byte (ignoring snapshots), then judges the end of the log
    /// against the durable witnesses with the judgement start-up uses (`LogJudgement`). The
    /// report names each damaged segment with its byte offset, or says why start-up would
    /// refuse, in the words start-up uses; exit code 1 in both cases (where `serve` refuses),
    /// else 0 (a bad tail that no witness proves acknowledged is reported: start-up cuts it).
    public static func verify(dir: String) -> (report: String, exitCode: Int32) {
        let logDir = Log.logDirectory(dir)
        var lines: [String] = []
        var damaged = 0
        var records = 0
        let seqs: [UInt64]
        do throws(SyscallError) { seqs = try LogRecovery.segmentSeqs(logDir) } catch {
            return ("\(logDir): cannot list: \(error)", 1)
        }
        var expected: UInt64?
        var end = LogEnd(lastSeq: 0, lastSegment: nil, tail: nil)
        for (i, first) in seqs.enumerated() {
            let path = logDir + "/" + LogFormat.segmentName(firstSeq: first)
            let check = verifySegment(path: path, firstSeq: first, isLast: i == seqs.count - 1, expected: expected)
            records += check.records
            lines += check.problems
            if check.damaged { damaged += 1 }
            // After damage inside a segment its true length is unknown: judge the next one alone.
            expected = check.complete ? first + UInt64(check.records) : nil
            if check.tail?.kind != .incompleteHeader { end.lastSeq = first + UInt64(check.records) - 1 }
            end.lastSegment = path
            end.tail = check.tail
        }
        var refused = false
        if damaged == 0 {
            do throws(LogOpenError) {
                switch LogJudgement.judge(end, witnesses: try LogJudgement.witnesses(logDir: logDir), logDir: logDir) {
                case .accept(let note): if let note { lines.append(note) }
                case .refuse(let message):
                    lines.append(message)
                    refused = true
                }
            } catch {
                lines.append(error.description)
                refused = true
            }
        }
        let verdict =
            damaged > 0
            ? "DAMAGED (\(damaged) segment\(damaged == 1 ? "" : "s"))" : refused ? "REFUSED (start-up stops: see above)" : "ok"
        lines.append("\(logDir): \(seqs.count) segments, \(records) records: \(verdict)")
        return (lines.joined(separator: "\n"), damaged == 0 && !refused ? 0 : 1)
    }

    private struct SegmentCheck {
        var records = 0
        var problems: [String] = []
        var damaged = false
        /// Whether every record was read (the next segment's first seq can be checked).
        var complete = true
        /// The last segment's bad tail, judged by `LogJudgement`.
        var tail: LogEnd.Tail?
    }

    private static func verifySegment(path: String, firstSeq: UInt64, isLast: Bool, expected: UInt64?) -> SegmentCheck {
        var c = SegmentCheck()
        func damage(_ offset: Int64, _ what: String) {
            c.problems.append("\(path): damaged at byte offset \(offset): \(what)")
            c.damaged = true
        }
        if let expected, expected != firstSeq { damage(12, "first seq \(firstSeq) where \(expected) was expected (missing segment?)") }
        let bytes: [UInt8]
        do throws(SyscallError) { bytes = try readAll(path) } catch {
            damage(0, "cannot read: \(error)")
            c.complete = false
            return c
        }
        do throws(DecodeError) {
            let header = try SegmentHeader.decode(bytes[...])
            if header.firstSeq != firstSeq { damage(12, "header first seq \(header.firstSeq) differs from the file name") }
        } catch {
            c.complete = false
            if isLast && bytes.count <= LogFormat.segmentHeaderBytes {
                c.tail = LogEnd.Tail(segment: path, offset: 0, bytes: Int64(bytes.count), kind: .incompleteHeader, reason: error.what)
            } else {
                damage(Int64(error.offset), error.what)
            }
            return c
        }
        let end = SegmentScanner.scan(bytes, isLast: isLast, expectedSeq: firstSeq, requestFields: false) { _, _, _ in c.records += 1 }
        if case .damaged(let offset, let reason) = end {
            damage(offset, reason)
            c.complete = false
        } else {
            c.tail = try? LogEnd.Tail(end, segment: path, fileBytes: Int64(bytes.count))
        }
        return c
    }

    static func readAll(_ path: String) throws(SyscallError) -> [UInt8] {
        let file = try File.open(path, flags: O_RDONLY)
        defer { file.close() }
        return try file.read(count: Int(try file.size()), at: 0)
    }

    /// Visits every record with seq >= `from` in order; stops at a torn tail, throws on damage.
    public static func forEachRecord(dir: String, from: UInt64 = 1, _ visit: (LogRecord) -> Void) throws(LogOpenError) {
        let logDir = Log.logDirectory(dir)
        let seqs: [UInt64]
        do throws(SyscallError) { seqs = try LogRecovery.segmentSeqs(logDir) } catch { throw .io(error) }
        for (i, first) in seqs.enumerated() {
            if i + 1 < seqs.count && seqs[i + 1] <= from { continue }
            let path = logDir + "/" + LogFormat.segmentName(firstSeq: first)
            let bytes: [UInt8]
            do throws(SyscallError) { bytes = try readAll(path) } catch { throw .io(error) }
            let isLast = i == seqs.count - 1
            if isLast && bytes.count <= LogFormat.segmentHeaderBytes { return }
            do throws(DecodeError) { _ = try SegmentHeader.decode(bytes[...]) } catch {
                throw .damaged(segment: path, offset: Int64(error.offset), reason: error.what)
            }
            let end = SegmentScanner.scan(bytes, isLast: isLast, expectedSeq: first) { r, _, _ in
                if r.seq >= from { visit(r) }
            }
            if case .damaged(let offset, let reason) = end { throw .damaged(segment: path, offset: offset, reason: reason) }
        }
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
    /// counts, as `key: value` lines.
    public static func stats(dir: String) throws(LogOpenError) -> String {
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
        let logDir = Log.logDirectory(dir)
        let seqs = (try? LogRecovery.segmentSeqs(logDir)) ?? []
        var bytes: Int64 = 0
        for s in seqs { bytes += ((try? FileSystem.size(logDir + "/" + LogFormat.segmentName(firstSeq: s))) ?? nil) ?? 0 }
        return [
            "segments: \(seqs.count)", "records: \(records)", "bytes: \(bytes)",
            "first_seq: \(firstSeq.map(String.init) ?? "-")", "last_seq: \(firstSeq == nil ? "-" : String(lastSeq))",
            "first_received_at: \(firstMs.map { Timestamp.iso8601(unixMs: $0) } ?? "-")",
            "last_received_at: \(lastMs.map { Timestamp.iso8601(unixMs: $0) } ?? "-")",
            "quarantined: \(quarantined)", "duplicates: \(duplicates)",
        ].joined(separator: "\n")
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
