import PayhookCore
import Testing

@testable import PayhookLog
@testable import PayhookStore

@Suite struct RecordCodecTests {
    private func roundTrip(_ record: LogRecord) throws -> LogRecord {
        let frame = RecordCodec.frame(record)
        var decoded: [LogRecord] = []
        let bytes = SegmentHeader(firstSeq: record.seq, createdMs: 0).encoded() + frame
        let end = SegmentScanner.scanRecords(bytes, isLast: false, expectedSeq: record.seq) { r, _, n in
            #expect(n == frame.count)
            decoded.append(r)
        }
        #expect(end == .clean)
        return try #require(decoded.first)
    }

    @Test("an event record keeps every request and event field, set and absent")
    func eventRoundTrip() throws {
        var e = Fixtures.event(7)
        e.seq = 7
        let full = LogRecord(seq: 7, payload: .event(Fixtures.request(), e))
        #expect(try roundTrip(full) == full)
        var bare = NormalizedEvent(
            id: "x", seq: 9, source: "s", provider: "p", kind: "k", paymentID: nil, status: .unknown, receivedAtMs: -5,
            verifiedBy: "none", quarantined: "unknown event type")
        bare.seq = 9
        let request = StoredRequest(peerAddress: "unix", clientAddress: "", method: "POST", path: "/", headers: [], body: [], bodyIsJSON: false)
        let minimal = LogRecord(seq: 9, payload: .event(request, bare))
        #expect(try roundTrip(minimal) == minimal)
    }

    @Test("every payment status survives encoding")
    func statuses() throws {
        for (i, status) in PaymentStatus.allCases.enumerated() {
            var e = Fixtures.event(i, status: status)
            e.seq = UInt64(i + 1)
            let r = LogRecord(seq: UInt64(i + 1), payload: .event(Fixtures.request(), e))
            #expect(try roundTrip(r).event?.status == status)
        }
    }

    @Test("duplicate markers and unknown record types round-trip")
    func otherTypes() throws {
        let d = LogRecord(
            seq: 3,
            payload: .duplicate(
                DuplicateMarker(source: "s", peerAddress: "a", clientAddress: "b", eventID: "s:1:x", originalSeq: 1), receivedAtMs: 42))
        #expect(try roundTrip(d) == d)
        let o = LogRecord(seq: 4, payload: .other(type: 77, receivedAtMs: 9, bytes: [1, 2, 3]))
        #expect(try roundTrip(o) == o)
    }

    @Test("limits: a field at maxFieldBytes passes, one byte more is refused naming the field")
    func fieldLimit() throws {
        var limits = LogLimits()
        limits.maxFieldBytes = 16
        var r = Fixtures.request()
        r.path = String(repeating: "a", count: 16)
        try limits.check(r)
        r.path += "a"
        #expect(throws: RecordTooLarge(field: "path bytes", bytes: 17, limit: 16)) { try limits.check(r) }
        limits.maxFieldBytes = 32
        var e = Fixtures.event(1)
        e.amount = String(repeating: "1", count: 32)
        try limits.check(.event(Fixtures.request(bodyBytes: 10), e))
        e.amount! += "1"
        #expect(throws: RecordTooLarge(field: "amount bytes", bytes: 33, limit: 32)) { try limits.check(.event(Fixtures.request(bodyBytes: 10), e)) }
    }

    @Test("limits: header count and body bytes at N pass and at N+1 fail")
    func countAndBodyLimits() throws {
        var limits = LogLimits()
        limits.maxHeaderCount = 2
        limits.maxBodyBytes = 100
        var r = Fixtures.request(bodyBytes: 100)
        #expect(r.body.count == 100)
        try limits.check(r)
        r.body.append(0)
        #expect(throws: RecordTooLarge(field: "body bytes", bytes: 101, limit: 100)) { try limits.check(r) }
        r.body.removeLast()
        r.headers.append(HeaderField("user-agent", "x"))
        #expect(throws: RecordTooLarge(field: "header count", bytes: 3, limit: 2)) { try limits.check(r) }
    }

    @Test("a string that is not UTF-8 is damage even with a valid CRC")
    func invalidUTF8() throws {
        var e = Fixtures.event(1)
        e.seq = 1
        e.source = "ZZZZ"
        let record = LogRecord(seq: 1, payload: .event(Fixtures.request(), e))
        var payload = Array(RecordCodec.frame(record).dropFirst(LogFormat.frameHeaderBytes))
        let at = payload.indices.first { payload[$0...].starts(with: Array("ZZZZ".utf8)) }!
        payload[at + 1] = 0xFF
        #expect(throws: DecodeError(offset: at, what: "source is not UTF-8")) { _ = try RecordCodec.decodePayload(payload[...]) }
        payload[at + 1] = UInt8(ascii: "Z")
        #expect(try RecordCodec.decodePayload(payload[...]) == record)
    }

    @Test("a frame whose payload fails to decode is damage even with a valid CRC")
    func undecodable() {
        var bytes = SegmentHeader(firstSeq: 1, createdMs: 0).encoded()
        var w = ByteWriter()
        w.u8(1)
        w.u8(0)
        w.u64(1)
        w.i64(0)
        w.u16(3)  // an event cut after one length field
        let payload = w.bytes
        let crc = payload.withUnsafeBytes { FrameCodec.checksum(length: UInt32(payload.count), payload: $0) }
        var frame = ByteWriter()
        frame.u32(UInt32(payload.count))
        frame.u32(crc)
        bytes += frame.bytes + payload
        let end = SegmentScanner.scanRecords(bytes, isLast: false, expectedSeq: 1) { _, _, _ in }
        guard case .damaged(let offset, _) = end else {
            Issue.record("expected damage, got \(end)")
            return
        }
        #expect(offset == 32)
    }
}
