import PayhookCore
import PayhookLog

// Record bodies, format v1 of the log (the frame and the record header, type u8, flags u8,
// seq u64, received_ms i64, are the log's: Sources/PayhookLog/LogFormat.swift):
//   type 1 (event): strings are u16 length + UTF-8 bytes, optional strings use length 0xFFFF
//     for "absent"; lists are u8 count + items; the body is u32 length + bytes.
//     source, peer, client, method, path,
//     headers (u8 count, then name and value strings: content-type, the signature header,
//       user-agent, x-forwarded-for, x-real-ip as received),
//     body, verified_by,
//     id, provider, kind, payment_id?, merchant_ref?, status (u8: 0 created, 1 pending, 2 failed,
//       3 expired, 4 cancelled, 5 succeeded, 6 refunded, 7 unknown; fixed codes, see statusCode),
//     provider_status?, provider_event?, amount?, currency?, occurred_at?, quarantined?
//   type 2 (duplicate): source, peer, client, id, original_seq u64
//   type 3 and later: opaque bytes

/// Encodes and decodes record bodies (the log frames them and writes the record header).
public enum RecordCodec {
    /// Appends the framed record to `out`; returns the frame's byte count.
    @discardableResult
    public static func appendFrame(_ record: LogRecord, to out: inout [UInt8]) -> Int {
        FrameCodec.appendFrame(record.payload, seq: record.seq, to: &out)
    }

    /// The framed record as a new array.
    public static func frame(_ record: LogRecord) -> [UInt8] {
        var out: [UInt8] = []
        appendFrame(record, to: &out)
        return out
    }

    /// The body of `payload` at `seq`, after the record header the log writes.
    static func appendBody(_ payload: LogPayload, seq: UInt64, to out: inout [UInt8]) {
        var w = ByteWriter(capacity: 0)
        swap(&w.bytes, &out)
        defer { swap(&w.bytes, &out) }
        switch payload {
        case .event(let request, let e):
            precondition(e.seq == seq || e.seq == 0, "event seq \(e.seq) differs from record seq \(seq)")
            w.string(e.source)
            encodeRequest(request, into: &w)
            EventField.encode(e, into: &w)
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

    /// The on-disk code of a status. Fixed by the format, not derived from the enum's order, so
    /// reordering or extending `PaymentStatus` never changes what stored records mean.
    public static func statusCode(_ status: PaymentStatus) -> UInt8 {
        switch status {
        case .created: 0
        case .pending: 1
        case .failed: 2
        case .expired: 3
        case .cancelled: 4
        case .succeeded: 5
        case .refunded: 6
        case .unknown: 7
        }
    }

    /// The status of an on-disk code; `nil` for a code this version does not know (damage).
    /// The inverse of `statusCode`, spelled out (a search of `allCases` fetched and released
    /// that array on every record a probe reads); LogFormatStatusTests checks both ways for every case.
    public static func status(code: UInt8) -> PaymentStatus? {
        switch code {
        case 0: .created
        case 1: .pending
        case 2: .failed
        case 3: .expired
        case 4: .cancelled
        case 5: .succeeded
        case 6: .refunded
        case 7: .unknown
        default: nil
        }
    }

    /// peer, client, method, path, headers, body (shared with the rejects store).
    static func encodeRequest(_ r: StoredRequest, into w: inout ByteWriter) {
        w.string(r.peerAddress)
        w.string(r.clientAddress)
        w.string(r.method)
        w.string(r.path)
        precondition(r.headers.count <= LogFormat.maxHeaderCount)
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
            // The order of `EventField.afterRequest` (RecordCodecTests checks each one).
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
            guard let status = Self.status(code: statusCode) else {
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

extension SegmentScanner {
    /// `scan` with each body decoded into a `LogRecord` (`requestFields: false` skips building
    /// the stored requests; their bounds are still checked).
    public static func scanRecords(
        _ bytes: [UInt8], from start: Int = LogFormat.segmentHeaderBytes, isLast: Bool, expectedSeq: UInt64,
        requestFields: Bool = true, visit: (LogRecord, _ offset: Int64, _ frameBytes: Int) -> Void
    ) -> ScanEnd {
        scan(bytes, from: start, isLast: isLast, expectedSeq: expectedSeq) { (raw, offset, frameBytes) throws(DecodeError) in
            visit(try RecordCodec.decodePayload(raw.payload, requestFields: requestFields), offset, frameBytes)
        }
    }
}

extension LogRecovery {
    /// Recovery of the event log's index, from its newest usable snapshot (`useSnapshot`).
    static func recover(
        logDir: String, repair: Bool, useSnapshot: Bool = true, verifyCovered: Bool = true
    ) throws(LogOpenError) -> Result<LogIndex> {
        try recover(
            logDir: logDir, repair: repair, useSnapshot: useSnapshot, verifyCovered: verifyCovered, snapshot: IndexSnapshot.loadNewest)
    }
}
