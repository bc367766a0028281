import CLinuxShim
import PayhookLog

// Rejects store format, version 1 (storage.dir/rejects/); little-endian.
//   <first id, 20 digits>.rjs   a segment: frames appended back to back, never rewritten; at most
//       `rejects_segments` of them, each at most rejects_max_bytes / rejects_segments bytes, so
//       the bound holds exactly on disk; the oldest segment is deleted (one unlink) to make room.
//   <first id, 20 digits>.done  ids (u64 each) of the segment's rejects already re-ingested by
//       `reverify` (appended + fdatasync); deleted with its segment.
// Frame: magic "PAYHKREJ", version u16 = 1, reserved u16, payload length u32, CRC32C u32 of the
//   payload, then the payload: received_ms i64, source string, the request (peer, client,
//   method, path, headers, body: as in the log format), reason string.
// A reject's id is its segment's first id + the frame's index in it. A restart starts a new
// segment (an old tail may be torn); readers stop at a segment's first frame that does not
// decode. No fdatasync: a reject is evidence, not an acknowledgement.

/// A provider request that failed authentication (bad or missing signature, forbidden client),
/// kept byte for byte so `payhookd rejects reverify` can re-check it against today's secrets.
public struct RejectEntry: Sendable, Equatable {
    /// Increasing with time; its segment's first id + its index there.
    public var id: UInt64
    public var receivedAtMs: Int64
    public var source: String
    public var request: StoredRequest
    /// Why it was refused (`bad_signature: ...`, `forbidden: ...`).
    public var reason: String
    /// Whether `reverify` already ingested it.
    public var reingested: Bool

    public init(id: UInt64 = 0, receivedAtMs: Int64, source: String, request: StoredRequest, reason: String, reingested: Bool = false) {
        self.id = id
        self.receivedAtMs = receivedAtMs
        self.source = source
        self.request = request
        self.reason = reason
        self.reingested = reingested
    }

    static let magic: [UInt8] = Array("PAYHKREJ".utf8)
    static let headerBytes = 20

    /// `encoded().count`, computed without encoding.
    var encodedBytes: Int {
        let r = request
        let strings = [source, r.peerAddress, r.clientAddress, r.method, r.path, reason] + r.headers.flatMap { [$0.name, $0.value] }
        return Self.headerBytes + 8 + strings.reduce(0) { $0 + 2 + $1.utf8.count } + 1 + 4 + r.body.count
    }

    func encoded() -> [UInt8] {
        var p = ByteWriter(capacity: 256 + request.body.count)
        p.i64(receivedAtMs)
        p.string(source)
        RecordCodec.encodeRequest(request, into: &p)
        p.string(reason)
        var w = ByteWriter(capacity: Self.headerBytes + p.bytes.count)
        w.bytes.append(contentsOf: Self.magic)
        w.u16(1)
        w.u16(0)
        w.u32(UInt32(p.bytes.count))
        w.u32(p.bytes.withUnsafeBytes { cshim_crc32c(0, $0.baseAddress, $0.count) })
        w.bytes.append(contentsOf: p.bytes)
        return w.bytes
    }

    /// The frame at `offset` of a segment and its size, nil when it does not decode (torn tail).
    static func decodeFrame(_ bytes: [UInt8], at offset: Int, id: UInt64) -> (RejectEntry, Int)? {
        guard bytes.count - offset >= headerBytes else { return nil }
        let length = (12..<16).reduce(0) { $0 | Int(bytes[offset + $1]) << (8 * ($1 - 12)) }
        guard bytes.count - offset - headerBytes >= length else { return nil }
        let frame = Array(bytes[offset..<(offset + headerBytes + length)])
        guard let entry = try? decode(frame, id: id, reingested: false) else { return nil }
        return (entry, frame.count)
    }

    static func decode(_ bytes: [UInt8], id: UInt64, reingested: Bool) throws(DecodeError) -> RejectEntry {
        guard bytes.count >= headerBytes, Array(bytes.prefix(8)) == magic else { throw DecodeError(offset: 0, what: "bad reject magic") }
        let (version, length, crc) = try ByteReader.read(bytes[8..<headerBytes]) { (h: inout ByteReader) throws(DecodeError) in
            let version = try h.u16("version")
            _ = try h.u16("reserved")
            return (version, Int(try h.u32("length")), try h.u32("crc"))
        }
        guard version == 1 else { throw DecodeError(offset: 8, what: "reject version") }
        guard bytes.count == headerBytes + length else { throw DecodeError(offset: 12, what: "reject length") }
        let payload = bytes[headerBytes...]
        guard crc == payload.withUnsafeBytes({ cshim_crc32c(0, $0.baseAddress, $0.count) }) else {
            throw DecodeError(offset: 16, what: "reject CRC mismatch")
        }
        return try ByteReader.read(payload) { (r: inout ByteReader) throws(DecodeError) in
            let ms = try r.i64("received_ms")
            let source = try r.string("source")
            let request = try RecordCodec.decodeRequest(&r, bodyIsJSON: false)
            let reason = try r.string("reason")
            guard r.remaining == 0 else { throw DecodeError(offset: r.offset, what: "trailing bytes") }
            return RejectEntry(id: id, receivedAtMs: ms, source: source, request: request, reason: reason, reingested: reingested)
        }
    }
}
