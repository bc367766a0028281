import CLinuxShim

/// A segment file's header (format in `LogFormat.swift`).
public struct SegmentHeader: Sendable, Equatable {
    public var firstSeq: UInt64
    public var createdMs: Int64

    public init(firstSeq: UInt64, createdMs: Int64) {
        self.firstSeq = firstSeq
        self.createdMs = createdMs
    }

    public func encoded() -> [UInt8] {
        var w = ByteWriter(capacity: LogFormat.segmentHeaderBytes)
        w.bytes.append(contentsOf: LogFormat.magic)
        w.u16(LogFormat.version)
        w.u16(0)
        w.u64(firstSeq)
        w.i64(createdMs)
        let crc = w.bytes.withUnsafeBytes { cshim_crc32c(0, $0.baseAddress!, $0.count) }
        w.u32(crc)
        assert(w.bytes.count == LogFormat.segmentHeaderBytes)
        return w.bytes
    }

    /// Decodes and checks magic, version and CRC.
    public static func decode(_ bytes: ArraySlice<UInt8>) throws(DecodeError) -> SegmentHeader {
        guard bytes.count >= LogFormat.segmentHeaderBytes else { throw DecodeError(offset: 0, what: "segment header is cut short") }
        let head = bytes.prefix(LogFormat.segmentHeaderBytes)
        guard Array(head.prefix(8)) == LogFormat.magic else { throw DecodeError(offset: 0, what: "bad segment magic") }
        let (version, firstSeq, created, crc) = try ByteReader.read(head.dropFirst(8)) { (r: inout ByteReader) throws(DecodeError) in
            let version = try r.u16("version")
            _ = try r.u16("reserved")
            return (version, try r.u64("first_seq"), try r.i64("created_ms"), try r.u32("crc"))
        }
        guard version == LogFormat.version else {
            throw DecodeError(offset: 8, what: "segment format version \(version) is not \(LogFormat.version)")
        }
        let actual = head.withUnsafeBytes { cshim_crc32c(0, $0.baseAddress!, 28) }
        guard crc == actual else { throw DecodeError(offset: 28, what: "segment header CRC mismatch") }
        return SegmentHeader(firstSeq: firstSeq, createdMs: created)
    }
}

/// How a segment scan ended.
public enum ScanEnd: Sendable, Equatable {
    /// Every byte belonged to a valid record.
    case clean
    /// A torn write at the end of the last segment, starting at this offset: a frame cut short
    /// by the end of the file, or zeros from the frame to the end.
    case torn(offset: Int64)
    /// A bad last frame that a torn write could have left but damage could too (a full frame
    /// whose CRC fails, a length out of bounds or short of the end, garbage to the end), with
    /// no valid frame after it. Start-up cuts it only when no witness proves it acknowledged.
    case suspect(offset: Int64, reason: String)
    /// Damage at this offset (for the last segment too, when valid-looking bytes follow).
    case damaged(offset: Int64, reason: String)
}

/// Walks the frames of one segment's bytes (format in `LogFormat.swift`).
public enum SegmentScanner {
    /// Visits each valid record in order with its byte offset. `isLast` permits a torn tail;
    /// `expectedSeq` is the seq the first record must carry (`header.firstSeq`). `visit` decodes
    /// the body (the store's); a body that does not decode, behind a valid CRC, is damage.
    public static func scan(
        _ bytes: [UInt8], from start: Int = LogFormat.segmentHeaderBytes, isLast: Bool, expectedSeq: UInt64,
        visit: (RawRecord, _ offset: Int64, _ frameBytes: Int) throws(DecodeError) -> Void
    ) -> ScanEnd {
        var offset = start
        var seq = expectedSeq
        let end = bytes.count
        while offset < end {
            let problem: String
            if end - offset < LogFormat.frameHeaderBytes {
                problem = "frame header cut short"
            } else {
                let length = readU32(bytes, offset)
                let crc = readU32(bytes, offset + 4)
                let frameEnd = offset + LogFormat.frameHeaderBytes + Int(length)
                if length == 0 || length > LogFormat.maxRecordBytes {
                    problem = "frame length \(length) out of bounds"
                } else if frameEnd > end {
                    problem = "frame of \(length) bytes runs past the end of the file"
                } else {
                    let payloadRange = (offset + LogFormat.frameHeaderBytes)..<frameEnd
                    let actual = bytes.withUnsafeBytes { p in
                        FrameCodec.checksum(length: length, payload: UnsafeRawBufferPointer(rebasing: p[payloadRange]))
                    }
                    if actual != crc {
                        problem = "CRC mismatch"
                    } else {
                        do throws(DecodeError) {
                            let record = try FrameCodec.decodeHeader(bytes[payloadRange])
                            guard record.seq == seq else {
                                return .damaged(offset: Int64(offset), reason: "seq \(record.seq) where \(seq) was expected")
                            }
                            try visit(record, Int64(offset), frameEnd - offset)
                            seq += 1
                            offset = frameEnd
                            continue
                        } catch {
                            return .damaged(offset: Int64(offset), reason: "undecodable record: \(error.what) at +\(error.offset)")
                        }
                    }
                }
            }
            guard isLast && !validFrameFollows(bytes, after: offset, seq: seq) else {
                return .damaged(offset: Int64(offset), reason: problem)
            }
            return looksTorn(bytes, at: offset) ? .torn(offset: Int64(offset)) : .suspect(offset: Int64(offset), reason: problem)
        }
        return .clean
    }

    /// Whether the bad tail at `at` is what a partial pwrite leaves: a prefix of a frame that the
    /// end of the file cuts short (header incomplete, or a length in bounds that runs past the
    /// end), or zeros from the frame to the end (the size grew but the data never came).
    static func looksTorn(_ b: [UInt8], at: Int) -> Bool {
        if b[at...].allSatisfy({ $0 == 0 }) { return true }
        if b.count - at < LogFormat.frameHeaderBytes { return true }
        let length = readU32(b, at)
        return length >= 1 && length <= LogFormat.maxRecordBytes && at + LogFormat.frameHeaderBytes + Int(length) > b.count
    }

    public static func readU32(_ b: [UInt8], _ at: Int) -> UInt32 {
        UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24
    }

    /// Whether a valid frame of a later seq starts anywhere after a bad one. A torn write leaves
    /// nothing valid behind it (the writer appends in order and acknowledges nothing past a
    /// failed fdatasync); a flipped byte in an older record does. Candidates are filtered on
    /// the seq field first, so garbage tails cost one pass.
    static func validFrameFollows(_ b: [UInt8], after bad: Int, seq: UInt64) -> Bool {
        let h = LogFormat.frameHeaderBytes
        var at = bad + 1
        while at + h + 18 <= b.count {
            let candidateSeq = UInt64(readU32(b, at + h + 2)) | UInt64(readU32(b, at + h + 6)) << 32
            if candidateSeq > seq && candidateSeq - seq < 1 << 20 {
                let length = readU32(b, at)
                let end = at + h + Int(length)
                if length >= 18, length <= LogFormat.maxRecordBytes, end <= b.count {
                    let crc = b.withUnsafeBytes { p in
                        FrameCodec.checksum(length: length, payload: UnsafeRawBufferPointer(rebasing: p[(at + h)..<end]))
                    }
                    if crc == readU32(b, at + 4) { return true }
                }
            }
            at += 1
        }
        return false
    }
}

extension SegmentScanner {
    /// Checks the frames a snapshot already indexed: each frame must start where `offsets` says
    /// and carry a valid CRC; nothing is decoded (start-up with a snapshot stays cheap).
    public static func checkFrames(_ bytes: [UInt8], offsets: [UInt32], end: Int64) -> ScanEnd {
        var at = LogFormat.segmentHeaderBytes
        for expected in offsets {
            guard at == Int(expected) else {
                return .damaged(offset: Int64(at), reason: "frame at \(at) where the snapshot has one at \(expected)")
            }
            guard at + LogFormat.frameHeaderBytes <= bytes.count else { return .damaged(offset: Int64(at), reason: "frame header cut short") }
            let length = readU32(bytes, at)
            let frameEnd = at + LogFormat.frameHeaderBytes + Int(length)
            guard length >= 1, length <= LogFormat.maxRecordBytes, frameEnd <= bytes.count else {
                return .damaged(offset: Int64(at), reason: "frame length \(length) out of bounds")
            }
            let crc = bytes.withUnsafeBytes { p in
                FrameCodec.checksum(length: length, payload: UnsafeRawBufferPointer(rebasing: p[(at + LogFormat.frameHeaderBytes)..<frameEnd]))
            }
            guard crc == readU32(bytes, at + 4) else { return .damaged(offset: Int64(at), reason: "CRC mismatch") }
            at = frameEnd
        }
        return Int64(at) == end ? .clean : .damaged(offset: Int64(at), reason: "snapshot ends the segment at \(end)")
    }
}
