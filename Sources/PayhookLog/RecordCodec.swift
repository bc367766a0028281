import CLinuxShim
import PayhookCore

/// Encodes and decodes record frames (format in `LogFormat.swift`).
public enum RecordCodec {
    /// Appends the framed record to `out`; returns the frame's byte count.
    @discardableResult
    public static func appendFrame(_ record: LogRecord, to out: inout [UInt8]) -> Int {
        var w = ByteWriter(capacity: 0)
        swap(&w.bytes, &out)
        defer { swap(&w.bytes, &out) }
        let start = w.bytes.count
        w.u32(0)  // length, patched below
        w.u32(0)  // crc, patched below
        encodePayload(record, into: &w)
        let length = w.bytes.count - start - LogFormat.frameHeaderBytes
        precondition(length >= 1 && length <= LogFormat.recordBytesMax, "record of \(length) bytes is out of bounds")
        w.patch32(UInt32(length), at: start)
        let crc = w.bytes.withUnsafeBytes { p in
            let lengthCRC = cshim_crc32c(0, p.baseAddress! + start, 4)
            return cshim_crc32c(lengthCRC, p.baseAddress! + start + 8, length)
        }
        w.patch32(crc, at: start + 4)
        return length + LogFormat.frameHeaderBytes
    }

    /// The framed record as a new array.
    public static func frame(_ record: LogRecord) -> [UInt8] {
        var out: [UInt8] = []
        appendFrame(record, to: &out)
        return out
    }

    /// CRC32C of a frame: its length field, then its payload.
    static func checksum(length: UInt32, payload: UnsafeRawBufferPointer) -> UInt32 {
        var le = length.littleEndian
        let lengthCRC = withUnsafeBytes(of: &le) { cshim_crc32c(0, $0.baseAddress!, 4) }
        return cshim_crc32c(lengthCRC, payload.baseAddress, payload.count)
    }

    static func encodePayload(_ record: LogRecord, into w: inout ByteWriter) {
        w.u8(record.payload.type)
        var flags: UInt8 = 0
        if case .event(let request, _) = record.payload, request.bodyIsJSON { flags |= 1 }
        w.u8(flags)
        w.u64(record.seq)
        w.i64(record.payload.receivedAtMs)
        switch record.payload {
        case .event(let request, let e):
            precondition(e.seq == record.seq || e.seq == 0, "event seq \(e.seq) differs from record seq \(record.seq)")
            w.string(e.source)
            encodeRequest(request, into: &w)
            w.string(e.verifiedBy)
            w.string(e.id)
            w.string(e.provider)
            w.string(e.kind)
            w.optional(e.paymentID)
            w.optional(e.merchantRef)
            w.u8(LogFormat.statusCode(e.status))
            for s in [e.providerStatus, e.providerEvent, e.amount, e.currency, e.occurredAt, e.quarantined] { w.optional(s) }
        case .duplicate(let d, _):
            w.string(d.source)
            w.string(d.peerAddress)
            w.string(d.clientAddress)
            w.string(d.eventID)
            w.u64(d.originalSeq)
        case .other(_, _, let bytes):
            w.bytes.append(contentsOf: bytes)
        }
    }

    /// peer, client, method, path, headers, body (shared with the rejects store).
    static func encodeRequest(_ r: StoredRequest, into w: inout ByteWriter) {
        w.string(r.peerAddress)
        w.string(r.clientAddress)
        w.string(r.method)
        w.string(r.path)
        precondition(r.headers.count <= LogFormat.headerCountMax)
        w.u8(UInt8(r.headers.count))
        for h in r.headers {
            w.string(h.name)
            w.string(h.value)
        }
        w.blob(r.body)
    }

    /// Checks the request fields' bounds and moves past them without building strings or
    /// copying the body (recovery needs only the event fields).
    static func skipRequest(_ r: inout ByteReader) throws(DecodeError) {
        for what in ["peer", "client", "method", "path"] { try r.skipString(what) }
        let count = try r.u8("header count")
        for _ in 0..<count {
            try r.skipString("header name")
            try r.skipString("header value")
        }
        try r.skipBlob("body")
    }

    static let emptyRequest = StoredRequest(peerAddress: "", clientAddress: "", method: "", path: "", headers: [], body: [], bodyIsJSON: false)

    static func decodeRequest(_ r: inout ByteReader, bodyIsJSON: Bool) throws(DecodeError) -> StoredRequest {
        let peer = try r.string("peer")
        let client = try r.string("client")
        let method = try r.string("method")
        let path = try r.string("path")
        let count = try r.u8("header count")
        var headers: [HeaderField] = []
        for _ in 0..<count {
            headers.append(HeaderField(try r.string("header name"), try r.string("header value")))
        }
        let body = try r.blob("body")
        return StoredRequest(
            peerAddress: peer, clientAddress: client, method: method, path: path, headers: headers, body: body,
            bodyIsJSON: bodyIsJSON)
    }

    /// Decodes a payload whose CRC already matched; throws on any structural inconsistency.
    /// With `requestFields: false`, an event's request is left empty (recovery's fast path).
    static func decodePayload(_ bytes: ArraySlice<UInt8>, requestFields: Bool = true) throws(DecodeError) -> LogRecord {
        try ByteReader.read(bytes) { (r: inout ByteReader) throws(DecodeError) in try decodePayload(&r, requestFields: requestFields) }
    }

    private static func decodePayload(_ r: inout ByteReader, requestFields: Bool) throws(DecodeError) -> LogRecord {
        let type = try r.u8("type")
        let flags = try r.u8("flags")
        let seq = try r.u64("seq")
        let receivedMs = try r.i64("received_ms")
        let payload: LogPayload
        switch RecordType(rawValue: type) {
        case .event:
            let source = try r.string("source")
            let request: StoredRequest
            if requestFields {
                request = try decodeRequest(&r, bodyIsJSON: flags & 1 != 0)
            } else {
                try skipRequest(&r)
                request = emptyRequest
            }
            let verifiedBy = try r.string("verified_by")
            let id = try r.string("id")
            let provider = try r.string("provider")
            let kind = try r.string("kind")
            let paymentID = try r.optional("payment_id")
            let merchantRef = try r.optional("merchant_ref")
            let statusCode = try r.u8("status")
            guard let status = LogFormat.status(code: statusCode) else {
                throw DecodeError(offset: r.offset - 1, what: "status \(statusCode) is unknown")
            }
            let event = NormalizedEvent(
                id: id, seq: seq, source: source, provider: provider, kind: kind, paymentID: paymentID,
                merchantRef: merchantRef, status: status,
                providerStatus: try r.optional("provider_status"), providerEvent: try r.optional("provider_event"),
                amount: try r.optional("amount"), currency: try r.optional("currency"),
                occurredAt: try r.optional("occurred_at"), receivedAtMs: receivedMs, verifiedBy: verifiedBy,
                quarantined: try r.optional("quarantined"))
            payload = .event(request, event)
        case .duplicate:
            let d = DuplicateMarker(
                source: try r.string("source"), peerAddress: try r.string("peer"), clientAddress: try r.string("client"),
                eventID: try r.string("id"), originalSeq: try r.u64("original_seq"))
            payload = .duplicate(d, receivedAtMs: receivedMs)
        case .hookParked, nil:
            payload = .other(type: type, receivedAtMs: receivedMs, bytes: r.rest())
        }
        guard r.remaining == 0 else { throw DecodeError(offset: r.offset, what: "\(r.remaining) trailing bytes") }
        return LogRecord(seq: seq, payload: payload)
    }
}
