import Testing

@testable import PayhookLog
@testable import PayhookStore

@Suite struct SegmentScannerTests {
    /// A segment of `count` records and the offset of each.
    private func segment(_ count: Int) -> ([UInt8], [Int]) {
        var bytes = SegmentHeader(firstSeq: 1, createdMs: 0).encoded()
        var offsets: [Int] = []
        for n in 1...count {
            offsets.append(bytes.count)
            var e = Fixtures.event(n)
            e.seq = UInt64(n)
            RecordCodec.appendFrame(LogRecord(seq: UInt64(n), payload: .event(Fixtures.request(), e)), to: &bytes)
        }
        return (bytes, offsets)
    }

    private func scan(_ bytes: [UInt8], isLast: Bool) -> ([UInt64], ScanEnd) {
        var seqs: [UInt64] = []
        let end = SegmentScanner.scanRecords(bytes, isLast: isLast, expectedSeq: 1) { r, _, _ in seqs.append(r.seq) }
        return (seqs, end)
    }

    @Test("truncated at every offset inside the last record: a torn tail there, earlier records intact")
    func truncateEveryOffset() {
        let (bytes, offsets) = segment(3)
        for cut in offsets[2]..<bytes.count {
            let (seqs, end) = scan(Array(bytes.prefix(cut)), isLast: true)
            #expect(seqs == [1, 2])
            #expect(end == (cut == offsets[2] ? .clean : .torn(offset: Int64(offsets[2]))), "cut at \(cut)")
        }
    }

    @Test("a flipped byte in every position of a non-last record is damage at that record")
    func flipNonLastRecord() {
        let (bytes, offsets) = segment(3)
        for at in offsets[1]..<offsets[2] {
            var damaged = bytes
            damaged[at] ^= 0x40
            let (seqs, end) = scan(damaged, isLast: true)
            #expect(seqs == [1], "flip at \(at)")
            guard case .damaged(let offset, _) = end else {
                Issue.record("flip at \(at): \(end)")
                continue
            }
            #expect(offset == Int64(offsets[1]))
        }
    }

    @Test("a torn tail is only forgiven in the last segment")
    func tornInNonLastSegment() {
        let (bytes, offsets) = segment(2)
        let (_, end) = scan(Array(bytes.dropLast(3)), isLast: false)
        guard case .damaged(let offset, _) = end else {
            Issue.record("\(end)")
            return
        }
        #expect(offset == Int64(offsets[1]))
    }

    @Test("a zero-filled tail after the last record is torn, not damage")
    func zeroTail() {
        let (bytes, offsets) = segment(2)
        let (seqs, end) = scan(bytes + [UInt8](repeating: 0, count: 4096), isLast: true)
        #expect(seqs == [1, 2])
        #expect(end == .torn(offset: Int64(bytes.count)))
        _ = offsets
    }

    @Test("a bad last frame that damage could have left as well as a torn write is suspect, not torn")
    func suspectTail() {
        let (bytes, offsets) = segment(3)
        let last = offsets[2]
        func expectSuspect(_ b: [UInt8], _ what: String) {
            let (seqs, end) = scan(b, isLast: true)
            #expect(seqs == [1, 2], "\(what)")
            guard case .suspect(let offset, _) = end else {
                Issue.record("\(what): \(end)")
                return
            }
            #expect(offset == Int64(last), "\(what)")
        }
        var flipped = bytes
        flipped[bytes.count - 3] ^= 0x01
        expectSuspect(flipped, "full frame, bad CRC")
        var zeroedPage = bytes  // the frame's end reached disk, a page in its middle did not
        for i in (last + 16)..<(bytes.count - 4) { zeroedPage[i] = 0 }
        expectSuspect(zeroedPage, "full length, zeros inside")
        for length: UInt32 in [40, 0, UInt32(LogFormat.maxRecordBytes + 1)] {
            var b = bytes
            withUnsafeBytes(of: length.littleEndian) { for i in 0..<4 { b[last + i] = $0[i] } }
            expectSuspect(b, "length \(length)")
        }
        var garbage = Array(bytes.prefix(last))  // a page of garbage where the frame should be
        garbage += (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        expectSuspect(garbage, "garbage")
    }

    @Test("a bad frame with a valid later frame after it is damage, even in the last segment")
    func badFrameThenValid() {
        let (bytes, offsets) = segment(3)
        var b = bytes
        b[offsets[1] + 20] ^= 0x01
        let (_, end) = scan(b, isLast: true)
        #expect(end == .damaged(offset: Int64(offsets[1]), reason: "CRC mismatch"))
    }

    @Test("a record out of seq order is damage")
    func seqGap() {
        var bytes = SegmentHeader(firstSeq: 1, createdMs: 0).encoded()
        RecordCodec.appendFrame(LogRecord(seq: 1, payload: .other(type: 9, receivedAtMs: 0, bytes: [])), to: &bytes)
        RecordCodec.appendFrame(LogRecord(seq: 3, payload: .other(type: 9, receivedAtMs: 0, bytes: [])), to: &bytes)
        let (seqs, end) = scan(bytes, isLast: true)
        #expect(seqs == [1])
        guard case .damaged(_, let reason) = end else {
            Issue.record("\(end)")
            return
        }
        #expect(reason.contains("seq 3"))
    }

    @Test("segment names carry the first seq zero padded to 20 digits")
    func names() {
        #expect(LogFormat.segmentName(firstSeq: 42) == "00000000000000000042.seg")
        #expect(LogFormat.firstSeq(segmentName: "00000000000000000042.seg") == 42)
        #expect(LogFormat.firstSeq(segmentName: "42.seg") == nil)
        #expect(LogFormat.firstSeq(segmentName: "index-00000000000000000042.snap") == nil)
    }
}
